// The producer's environment: EY_REQUIRE_API_KEY's modes (auto by default, 1/0 as true/false), and one
// line per bad variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const DB = 'postgres://u:p@127.0.0.1:5432/ey';

test('EY_REQUIRE_API_KEY: auto by default; auto, true, false, 1 and 0 accepted', () => {
  const config = loadConfig({ EY_DATABASE_URL: DB });
  assert.equal(config.requireApiKey, 'auto');
  assert.equal(config.apiKeyPollMs, 5000);
  assert.ok(Object.isFrozen(config));
  for (const [value, mode] of [['auto', 'auto'], ['true', 'true'], ['1', 'true'], ['false', 'false'], ['0', 'false']] as const) {
    assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_REQUIRE_API_KEY: value }).requireApiKey, mode, value);
  }
});

test('bad values name the variable', () => {
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_REQUIRE_API_KEY: 'yes' }), /config: EY_REQUIRE_API_KEY: must be one of auto, true, false, 1, 0/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_API_KEY_POLL_MS: '10' }), /config: EY_API_KEY_POLL_MS: must be an integer/);
  assert.throws(() => loadConfig({}), /config: EY_DATABASE_URL: required/);
});
