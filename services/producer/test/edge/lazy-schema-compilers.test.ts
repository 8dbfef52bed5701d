// The producer's fastify server loads ajv and fast-json-stringify only when a route declares a schema, and
// such a route still validates and serializes by it. Each case runs in a child process, so what is loaded
// is that process's alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const producerDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const moduleUrl = pathToFileURL(join(producerDir, 'src', 'edge', 'lazy-schema-compilers.ts')).href;

/** Runs `body` as an ES module in a fresh node (cwd: the producer package) and parses what it prints. */
async function inChild(body: string): Promise<Record<string, unknown>> {
  const script = `
    import { createRequire } from 'node:module';
    import Fastify from 'fastify';
    import { lazySchemaCompilers } from ${JSON.stringify(moduleUrl)};
    const loaded = () => {
      const cache = createRequire(createRequire(import.meta.url).resolve('fastify')).cache;
      return { ajv: Object.keys(cache).some((p) => p.includes('/ajv/')), stringify: Object.keys(cache).some((p) => p.includes('/fast-json-stringify/index.js')) };
    };
    const app = Fastify({ logger: false, schemaController: { compilersFactory: lazySchemaCompilers() } });
    ${body}
    await app.close();`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: producerDir });
  return JSON.parse(stdout) as Record<string, unknown>;
}

test('a server without schemas never loads ajv or fast-json-stringify', async () => {
  const out = await inChild(`
    app.post('/v1/report', async (request) => ({ got: request.body }));
    await app.ready();
    const reply = await app.inject({ method: 'POST', url: '/v1/report', payload: { a: 1 } });
    console.log(JSON.stringify({ status: reply.statusCode, body: reply.json(), ...loaded() }));`);
  assert.deepEqual(out, { status: 200, body: { got: { a: 1 } }, ajv: false, stringify: false });
});

test('a route with a schema loads them on first use and is validated and serialized by it', async () => {
  const out = await inChild(`
    app.post('/typed', {
      schema: {
        body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    }, async (request) => ({ n: request.body.n, secret: 'not in the schema' }));
    await app.ready();
    const good = await app.inject({ method: 'POST', url: '/typed', payload: { n: 3 } });
    const bad = await app.inject({ method: 'POST', url: '/typed', payload: { n: 'three' } });
    console.log(JSON.stringify({ good: good.json(), badStatus: bad.statusCode, badMessage: bad.json().message, ...loaded() }));`);
  assert.deepEqual(out, { good: { n: 3 }, badStatus: 400, badMessage: 'body/n must be integer', ajv: true, stringify: true });
});
