// The dispatcher's attempt group commit and status linger settings: defaults, overrides, bad values named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const DB = 'postgres://u:p@127.0.0.1:5432/ey';

test('EY_DISPATCH_ATTEMPT_LINGER_MS, EY_DISPATCH_ATTEMPT_TRANSACTIONS and EY_DISPATCH_STATUS_LINGER_MS', () => {
  const defaults = loadConfig({ EY_DATABASE_URL: DB }).dispatch;
  assert.deepEqual([defaults.attemptLingerMs, defaults.attemptTransactions, defaults.statusLingerMs], [2, 4, 20]);
  const set = loadConfig({
    EY_DATABASE_URL: DB,
    EY_DISPATCH_ATTEMPT_LINGER_MS: '0',
    EY_DISPATCH_ATTEMPT_TRANSACTIONS: '1',
    EY_DISPATCH_STATUS_LINGER_MS: '0',
  }).dispatch;
  assert.deepEqual([set.attemptLingerMs, set.attemptTransactions, set.statusLingerMs], [0, 1, 0]);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_DISPATCH_STATUS_LINGER_MS: '-1' }), /config: EY_DISPATCH_STATUS_LINGER_MS: must be an integer/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_DISPATCH_ATTEMPT_LINGER_MS: '5000' }), /config: EY_DISPATCH_ATTEMPT_LINGER_MS: must be an integer/);
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_DISPATCH_ATTEMPT_TRANSACTIONS: '0' }),
    /config: EY_DISPATCH_ATTEMPT_TRANSACTIONS: must be an integer/,
  );
});
