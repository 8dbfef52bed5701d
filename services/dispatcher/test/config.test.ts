// The dispatcher's attempt group commit, status linger and fetch window settings: defaults, overrides, bad values named.
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

test('EY_DISPATCH_FETCH_BUSY_* and EY_DISPATCH_FETCH_LOADED_*: the fetch windows', () => {
  const defaults = loadConfig({ EY_DATABASE_URL: DB }).dispatch;
  assert.deepEqual(
    [defaults.fetchBusyMinBytes, defaults.fetchBusyMaxWaitMs, defaults.fetchLoadedRate, defaults.fetchLoadedMinBytes, defaults.fetchLoadedMaxWaitMs],
    [1, 5, 800, 65_536, 20],
  );
  const set = loadConfig({
    EY_DATABASE_URL: DB,
    EY_DISPATCH_FETCH_BUSY_MIN_BYTES: '8192',
    EY_DISPATCH_FETCH_BUSY_MAX_WAIT_MS: '4',
    EY_DISPATCH_FETCH_LOADED_RATE: '2000',
    EY_DISPATCH_FETCH_LOADED_MIN_BYTES: '1048576',
    EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS: '50',
  }).dispatch;
  assert.deepEqual(
    [set.fetchBusyMinBytes, set.fetchBusyMaxWaitMs, set.fetchLoadedRate, set.fetchLoadedMinBytes, set.fetchLoadedMaxWaitMs],
    [8192, 4, 2000, 1_048_576, 50],
  );
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_DISPATCH_FETCH_LOADED_RATE: 'fast' }), /config: EY_DISPATCH_FETCH_LOADED_RATE: must be an integer/);
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS: '5000' }),
    /config: EY_DISPATCH_FETCH_LOADED_MAX_WAIT_MS: must be an integer/,
  );
});
