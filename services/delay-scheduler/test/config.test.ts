// The scheduler's environment: defaults, and one line per bad variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const DB = 'postgres://u:p@127.0.0.1:5432/ey';

test('defaults', () => {
  const config = loadConfig({ EY_DATABASE_URL: DB });
  assert.equal(config.groupId, 'eventyard-scheduler');
  assert.equal(config.lookaheadMs, 5000);
  assert.equal(config.pollMs, 500);
  assert.equal(config.claimMs, 30_000);
  assert.match(config.instanceId, /:\d+:[0-9a-f]{8}$/);
  assert.ok(Object.isFrozen(config));
});

test('a database URL is required and a claim lease shorter than the lookahead is refused', () => {
  assert.throws(() => loadConfig({}), /config: EY_DATABASE_URL: required/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_CLAIM_MS: '2000' }), /config: EY_SCHEDULER_CLAIM_MS: must be at least/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_POLL_MS: 'soon' }), /config: EY_SCHEDULER_POLL_MS: must be an integer/);
});
