// `eventyard dev` once ready: a banner on stderr with every address (producer gRPC and HTTP mirror, admin
// API, where the admin token is, broker, Postgres, health ports), and with --log-format pretty every log
// line (its own and its children's) in pino-pretty's text under the process-name column, none in JSON.
// (Piped without the flag the lines stay JSON: test/foundation/dev.test.ts reads them so.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findFreePort } from '@eventyard/db';
import { SERVICES } from '../src/stack.ts';
import { CLI, cleanEnv, freePortOffset } from './fixture.ts';

test('dev prints a banner with every address once ready, and pretty logs when asked to', async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-cli-dev-banner-'));
  await fs.chmod(dataDir, 0o755); // the postgres user (when run as root) must reach the data dir
  t.after(() => fs.rm(dataDir, { recursive: true, force: true }));
  const [pgPort, kafkaPort] = [await findFreePort(), await findFreePort()];
  const offset = await freePortOffset([pgPort, kafkaPort]);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'dev',
      '--data-dir',
      dataDir,
      '--pg-port',
      String(pgPort),
      '--kafka-port',
      String(kafkaPort),
      '--port-offset',
      String(offset),
      '--log-format',
      'pretty',
    ],
    { env: { ...cleanEnv(), EY_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const deadline = Date.now() + 180_000;
  while (!stderr.includes('  data dir')) {
    assert.ok(Date.now() < deadline, `dev did not come up:\n${stdout}\n${stderr}`);
    assert.equal(child.exitCode, null, `dev exited early:\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const banner = stderr.slice(stderr.indexOf('eventyard dev is ready'));
  const token = (await fs.readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
  const rows = Object.fromEntries(
    banner
      .split('\n')
      .slice(1)
      .filter((line) => line !== '')
      .map((line) => /^ {2}(\S+(?: \S+)*?) {2,}(.*)$/.exec(line)?.slice(1, 3) ?? [line, '']),
  );
  assert.deepEqual(rows, {
    'producer gRPC': `127.0.0.1:${9000 + offset}`,
    'producer HTTP mirror': `http://127.0.0.1:${8083 + offset}`,
    'admin API': `http://127.0.0.1:${8081 + offset}`,
    'admin token': `in ${path.join(dataDir, 'admin-token')} (send "authorization: Bearer <token>"; the eventyard CLI reads it by itself for a local --admin-url)`,
    // Signs in by itself: the token is in the fragment, which no request carries.
    console: `http://127.0.0.1:${8081 + offset}/ui/#token=${token}`,
    broker: `127.0.0.1:${kafkaPort}`,
    postgres: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    'health/metrics': `${SERVICES.map((s) => `${s.name} :${s.healthPort + offset}`).join(', ')} (/healthz /readyz /metrics)`,
    'data dir': dataDir,
  });
  assert.ok(banner.startsWith('eventyard dev is ready; Ctrl-C stops it\n'), banner);
  // What the banner says works: the admin API there answers with the token from there.
  const processors = await fetch(`http://127.0.0.1:${8081 + offset}/v1/processors`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(processors.status, 200);
  // The console's page itself needs no credential (its data calls do).
  const page = await fetch(`http://127.0.0.1:${8081 + offset}/ui/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);

  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  const lines = stdout.split('\n').filter((line) => line !== '');
  for (const name of ['dev', 'broker', ...SERVICES.map((s) => s.name)]) {
    assert.match(stdout, new RegExp(`^${name} +\\| \\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] (INFO|WARN): `, 'm'), `${name}'s lines are pretty, under its prefix`);
  }
  assert.deepEqual(
    lines.filter((line) => /^\S+ +\| \{/.test(line)),
    [],
    'no JSON log line reaches the terminal',
  );
  assert.match(stdout, /^dev +\| \[[\d:.]+\] INFO: shutdown complete \{"code":0\}$/m);
});
