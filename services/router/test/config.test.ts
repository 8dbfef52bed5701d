// The router's broadcast fan-out settings: defaults, overrides, bad values named.
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
