import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', 'src', 'main.ts');

function run(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_') && k !== 'DATABASE_URL' && k !== 'KAFKA_BROKERS'));
  return spawnSync(process.execPath, [CLI, 'config', 'check'], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
}

test('invalid config exits 1 with one line naming the variable', () => {
  const badUrl = run({ DATABASE_URL: 'http://x' });
  assert.equal(badUrl.status, 1);
  assert.equal(badUrl.stderr, 'config: DATABASE_URL: must be a postgres://user:password@host:port/database URL\n');
  const badPort = run({ EY_HEALTH_PORT: 'abc' });
  assert.equal(badPort.status, 1);
  assert.equal(badPort.stderr, 'config: EY_HEALTH_PORT: must be an integer port 0-65535\n');
});

test('valid config exits 0', () => {
  const ok = run({ EY_KAFKA_BROKERS: 'k1:9092,k2:9092', EY_DATABASE_URL: 'postgres://u:p@db:5432/eventyard' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, 'config: ok (kafka k1:9092,k2:9092, postgres external)\n');
});
