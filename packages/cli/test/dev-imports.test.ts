// The `eventyard dev` supervisor idles beside the stack for as long as it runs: it only spawns and watches
// processes, so it must not load what the services use (Kafka, gRPC, Postgres clients, HTTP servers,
// metrics). Checked on what the CLI actually resolves when it starts the dev command.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { CLI } from './fixture.ts';

/** Records every package a resolve lands in and prints them (one line, JSON) when the process exits. */
const RECORD_PACKAGES = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules)/.exec(result.url);
  if (match) seen.add(match[1]);
  if (result.url.includes('/packages/') && !result.url.includes('node_modules')) seen.add('@eventyard/' + result.url.split('/packages/')[1].split('/')[0]);
  return result;
} });
process.on('exit', () => process.stderr.write('PACKAGES ' + JSON.stringify([...seen]) + '\\n'));
`)}`;

/** Packages a process that only supervises has no use for. */
const SERVICE_LIBRARIES =
  /^(kafkajs|@grpc\/.*|grpc-health-check|protobufjs|pg|pg-.*|knex|tarn|fastify|@fastify\/.*|prom-client|undici|@eventyard\/(broker|sdk|evhub))$/;

test('the dev command loads no Kafka, gRPC, database, HTTP server or metrics library', async () => {
  // `dev --help` loads exactly the modules `dev` starts with (every import the command has is static or
  // is the embedded Postgres binary lookup), then prints its usage and exits.
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', RECORD_PACKAGES, CLI, 'dev', '--help'], { encoding: 'utf8' }, (err, _stdout, output) => {
      if (err !== null) reject(new Error(`eventyard dev --help failed: ${output}`, { cause: err }));
      else resolve(output);
    });
  });
  const line = stderr.split('\n').find((l) => l.startsWith('PACKAGES '));
  assert.ok(line !== undefined, `the recording hook printed nothing: ${stderr}`);
  const packages = JSON.parse(line.slice('PACKAGES '.length)) as string[];
  assert.ok(packages.includes('commander'), `the hook saw the CLI's own imports: ${packages.join(' ')}`);
  assert.deepEqual(
    packages.filter((name) => SERVICE_LIBRARIES.test(name)),
    [],
  );
});
