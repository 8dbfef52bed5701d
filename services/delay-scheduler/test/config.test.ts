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
  assert.equal(config.idlePollMs, 2000);
  assert.equal(config.claimMs, 30_000);
  assert.equal(config.sessionTimeoutMs, 10_000);
  assert.match(config.instanceId, /:\d+:[0-9a-f]{8}$/);
  assert.ok(Object.isFrozen(config));
});

test('a database URL is required and a claim lease shorter than the lookahead is refused', () => {
  assert.throws(() => loadConfig({}), /config: EY_DATABASE_URL: required/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_CLAIM_MS: '2000' }), /config: EY_SCHEDULER_CLAIM_MS: must be at least/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_POLL_MS: 'soon' }), /config: EY_SCHEDULER_POLL_MS: must be an integer/);
  // Kafka brokers refuse sessions under group.min.session.timeout.ms (6 s by default).
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_SESSION_TIMEOUT_MS: '1000' }), /config: EY_SCHEDULER_SESSION_TIMEOUT_MS/);
});

test('the idle poll interval stays between the poll interval and half the lookahead', () => {
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_IDLE_POLL_MS: '60000' }).idlePollMs, 2500);
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_LOOKAHEAD_MS: '0' }).idlePollMs, 500);
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_IDLE_POLL_MS: '100' }).idlePollMs, 500);
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_SCHEDULER_LOOKAHEAD_MS: '10000', EY_SCHEDULER_IDLE_POLL_MS: '4000' }).idlePollMs, 4000);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_TX_CHECK_IDLE_POLL_MS: 'later' }), /config: EY_TX_CHECK_IDLE_POLL_MS: must be an integer/);
});

test('transaction check-back settings: defaults, overrides, bad values', () => {
  assert.deepEqual(loadConfig({ EY_DATABASE_URL: DB }).txCheck, {
    pollMs: 1000,
    idlePollMs: 5000,
    batchSize: 100,
    leaseMs: 60_000,
    maxAttempts: 10,
    backoffMaxMs: 3_600_000,
  });
  const config = loadConfig({ EY_DATABASE_URL: DB, EY_TX_CHECK_MAX_ATTEMPTS: '3', EY_TX_CHECK_POLL_MS: '200', EY_TX_CHECK_BACKOFF_MAX_MS: '60000' });
  assert.equal(config.txCheck.maxAttempts, 3);
  assert.equal(config.txCheck.pollMs, 200);
  assert.equal(config.txCheck.backoffMaxMs, 60_000);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_TX_CHECK_MAX_ATTEMPTS: '0' }), /config: EY_TX_CHECK_MAX_ATTEMPTS/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_TX_CHECK_LEASE_MS: 'long' }), /config: EY_TX_CHECK_LEASE_MS/);
});
