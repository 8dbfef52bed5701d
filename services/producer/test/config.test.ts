// The producer's environment: EY_REQUIRE_API_KEY (true by default, 1/0 as true/false, the removed `auto`
// refused by name with its replacement), the quota settings' defaults, the micro-batcher's, and one line per
// bad variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const DB = 'postgres://u:p@127.0.0.1:5432/ey';

test('EY_REQUIRE_API_KEY: true by default; true, false, 1 and 0 accepted', () => {
  const config = loadConfig({ EY_DATABASE_URL: DB });
  assert.equal(config.requireApiKey, true);
  assert.equal(config.apiKeyPollMs, 5000);
  assert.ok(Object.isFrozen(config));
  for (const [value, required] of [
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ] as const) {
    assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_REQUIRE_API_KEY: value }).requireApiKey, required, value);
  }
});

test('EY_REQUIRE_API_KEY=auto is a config error naming the variable and what replaces it', () => {
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_REQUIRE_API_KEY: 'auto' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'EY_CONFIG_INVALID');
      assert.match(err.message, /config: EY_REQUIRE_API_KEY: auto was removed/);
      assert.match(err.message, /set true, or false for a development producer/);
      assert.match(err.message, /producer config field `anonymous: true`/);
      assert.doesNotMatch(err.message, /must be true, false, 1 or 0/, 'one line, not two');
      return true;
    },
  );
});

test('quota settings have defaults and bounds', () => {
  const { quotas, authFailures } = loadConfig({ EY_DATABASE_URL: DB });
  assert.deepEqual(authFailures, { limit: 20, windowMs: 60_000 });
  assert.equal(quotas.repeatMinIntervalMs, 1000);
  // EvHub's own bounds stay the defaults: delays up to 30 days, repeats without end (0 = no limit).
  assert.equal(quotas.maxDelayMs, 30 * 24 * 3600 * 1000);
  assert.equal(quotas.repeatMaxOccurrences, 0);
  assert.equal(quotas.repeatMaxHorizonMs, 0);
  assert.ok(quotas.maxPendingTimersPerApp > 0 && quotas.maxOpenTransactionsPerApp > 0);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_MAX_DELAY_MS: String(31 * 24 * 3600 * 1000) }), /config: EY_MAX_DELAY_MS: must be an integer in/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_REPEAT_MIN_INTERVAL_MS: '10' }), /config: EY_REPEAT_MIN_INTERVAL_MS: must be an integer in/);
});

test('EY_PUBLISH_*: the micro-batcher, and its linger at a high rate', () => {
  assert.deepEqual(loadConfig({ EY_DATABASE_URL: DB }).batch, { maxRecords: 500, maxBytes: 512 * 1024, maxInFlight: 1, lingerMs: 5, lingerRate: 800 });
  const set = loadConfig({ EY_DATABASE_URL: DB, EY_PUBLISH_LINGER_MS: '0', EY_PUBLISH_LINGER_RATE: '2000' }).batch;
  assert.deepEqual([set.lingerMs, set.lingerRate], [0, 2000]);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_PUBLISH_LINGER_MS: '5000' }), /config: EY_PUBLISH_LINGER_MS: must be an integer in/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_PUBLISH_LINGER_RATE: 'fast' }), /config: EY_PUBLISH_LINGER_RATE: must be an integer/);
});

test('bad values name the variable', () => {
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_REQUIRE_API_KEY: 'yes' }), /config: EY_REQUIRE_API_KEY: must be true, false, 1 or 0/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_API_KEY_POLL_MS: '10' }), /config: EY_API_KEY_POLL_MS: must be an integer/);
  assert.throws(() => loadConfig({}), /config: EY_DATABASE_URL: required/);
});
