// The router's settings: broadcast fan-out and the fetch waits; defaults, overrides, bad values named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';

const DB = 'postgres://u:p@127.0.0.1:5432/ey';

test('EY_BROADCAST_BATCH_SIZE and EY_BROADCAST_RATE_PER_S', () => {
  assert.deepEqual(loadConfig({ EY_DATABASE_URL: DB }).broadcast, { batchSize: 500, ratePerS: 5000 });
  assert.deepEqual(loadConfig({ EY_DATABASE_URL: DB, EY_BROADCAST_BATCH_SIZE: '50', EY_BROADCAST_RATE_PER_S: '0' }).broadcast, { batchSize: 50, ratePerS: 0 });
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_BROADCAST_BATCH_SIZE: '0' }), /config: EY_BROADCAST_BATCH_SIZE: must be an integer/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_BROADCAST_RATE_PER_S: 'fast' }), /config: EY_BROADCAST_RATE_PER_S: must be an integer/);
});

test('EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS is held between the fetch wait and half the session timeout', () => {
  assert.deepEqual(loadConfig({ EY_DATABASE_URL: DB }).fetch, {
    minBytes: 1,
    maxWaitMs: 1000,
    idleMaxWaitMs: 5000,
    busyMinBytes: 8192,
    busyMaxWaitMs: 5,
    loadedRate: 800,
    loadedMinBytes: 65_536,
    loadedMaxWaitMs: 20,
  });
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: '20000' }).fetch.idleMaxWaitMs, 5000);
  assert.equal(
    loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: '20000', EY_ROUTER_SESSION_TIMEOUT_MS: '45000' }).fetch.idleMaxWaitMs,
    20_000,
  );
  assert.equal(loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: '100' }).fetch.idleMaxWaitMs, 1000);
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: 'long' }),
    /config: EY_ROUTER_FETCH_IDLE_MAX_WAIT_MS: must be an integer/,
  );
});

test('EY_ROUTER_FETCH_BUSY_* and EY_ROUTER_FETCH_LOADED_*: the batching windows under load', () => {
  const fetch = loadConfig({
    EY_DATABASE_URL: DB,
    EY_ROUTER_FETCH_BUSY_MIN_BYTES: '1',
    EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS: '20',
    EY_ROUTER_FETCH_LOADED_RATE: '800',
    EY_ROUTER_FETCH_LOADED_MIN_BYTES: '16384',
    EY_ROUTER_FETCH_LOADED_MAX_WAIT_MS: '30',
  }).fetch;
  assert.deepEqual([fetch.busyMinBytes, fetch.busyMaxWaitMs, fetch.loadedRate, fetch.loadedMinBytes, fetch.loadedMaxWaitMs], [1, 20, 800, 16_384, 30]);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_LOADED_RATE: '-1' }), /config: EY_ROUTER_FETCH_LOADED_RATE: must be an integer/);
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_LOADED_MIN_BYTES: '0' }),
    /config: EY_ROUTER_FETCH_LOADED_MIN_BYTES: must be an integer/,
  );
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_BUSY_MIN_BYTES: '0' }), /config: EY_ROUTER_FETCH_BUSY_MIN_BYTES: must be an integer/);
  assert.throws(
    () => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS: '5000' }),
    /config: EY_ROUTER_FETCH_BUSY_MAX_WAIT_MS: must be an integer/,
  );
});

test('EY_ROUTER_COMMIT_INTERVAL_MS and EY_ROUTER_COMMIT_RECORDS: when routed offsets are committed', () => {
  const defaults = loadConfig({ EY_DATABASE_URL: DB });
  assert.deepEqual([defaults.commitIntervalMs, defaults.commitRecords], [200, 100]);
  const set = loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_COMMIT_INTERVAL_MS: '1000', EY_ROUTER_COMMIT_RECORDS: '0' });
  assert.deepEqual([set.commitIntervalMs, set.commitRecords], [1000, 0]);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_COMMIT_RECORDS: '-5' }), /config: EY_ROUTER_COMMIT_RECORDS: must be an integer/);
  assert.throws(() => loadConfig({ EY_DATABASE_URL: DB, EY_ROUTER_COMMIT_RECORDS: 'many' }), /config: EY_ROUTER_COMMIT_RECORDS: must be an integer/);
});
