// deploy/compose/docker-compose.yml checked by dclint (Docker Compose schema validation plus its default
// best-practice rules, offline); what the services run is checked against stack.ts in drift.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { REPO_ROOT } from './chart-render.ts';

const execFileAsync = promisify(execFile);
const COMPOSE_FILE = join(REPO_ROOT, 'deploy', 'compose', 'docker-compose.yml');
const DCLINT = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'bin', 'dclint.cjs');

interface LintResult {
  filePath: string;
  messages: { rule: string; type: string; message: string; line: number }[];
  errorCount: number;
  warningCount: number;
}

async function dclint(file: string): Promise<LintResult[]> {
  // dclint exits 1 when it finds errors; the JSON report is on stdout either way.
  const run = execFileAsync(process.execPath, [DCLINT, file, '--formatter', 'json', '--color', 'false'], { cwd: dirname(file) });
  const { stdout } = await run.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return JSON.parse(stdout) as LintResult[];
}

test('the compose file passes dclint with no errors and no warnings', async () => {
  const [result] = await dclint(COMPOSE_FILE);
  assert.ok(result, 'dclint reported on the file');
  assert.deepEqual(result.messages.map((m) => `${m.line}: ${m.rule}: ${m.message}`), []);
});

test('dclint does catch a broken compose file (so a clean report means something)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-compose-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, 'services:\n  web:\n    image: nginx\n    build: .\n    ports:\n      - 8080:80\n    restart: sometimes\n');
  const [result] = await dclint(file);
  assert.ok(result !== undefined && result.errorCount > 0, JSON.stringify(result));
});

test('Kafka runs in KRaft mode with a valid cluster id and advertises the address the services use', async () => {
  const compose = parse(await readFile(COMPOSE_FILE, 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; environment?: Record<string, string | number> }>;
  };
  const kafka = compose.services.kafka;
  assert.match(kafka?.image ?? '', /^apache\/kafka:\d+\.\d+\.\d+$/);
  const env = kafka?.environment ?? {};
  assert.equal(env.KAFKA_PROCESS_ROLES, 'broker,controller');
  assert.equal(env.KAFKA_CONTROLLER_QUORUM_VOTERS, `${env.KAFKA_NODE_ID}@kafka:9093`);
  // kafka-storage format refuses anything but a base64url-encoded 16-byte UUID.
  assert.equal(Buffer.from(String(env.CLUSTER_ID), 'base64url').length, 16);
  assert.match(String(env.CLUSTER_ID), /^[A-Za-z0-9_-]{22}$/);
  const advertised = String(env.KAFKA_ADVERTISED_LISTENERS).split(',');
  const brokers = compose.services.router?.environment?.EY_KAFKA_BROKERS;
  assert.ok(advertised.includes(`PLAINTEXT://${brokers}`), `${brokers} is not advertised: ${advertised.join(', ')}`);
});
