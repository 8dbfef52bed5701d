// `eventyard dev` lets its services reach loopback (where the examples and the demo's processors
// listen) and nothing else the egress guard refuses: the environment it gives them, read as they read it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { egressGuardOf, loadEgressConfig } from '@eventyard/core';
import { DEV_EGRESS_ENV } from '../src/dev.ts';

test('the dev stack allows loopback only', () => {
  const config = loadEgressConfig(DEV_EGRESS_ENV);
  assert.deepEqual(config.warnings, [], 'no deprecated all-or-nothing switch');
  const guard = egressGuardOf(config);
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.equal(guard.refusal(address, address), undefined, address);
  for (const [address, kind] of [
    ['10.0.0.1', 'private'],
    ['192.168.1.10', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00::1', 'private'],
    ['100.64.0.1', 'CGNAT'],
  ] as const) {
    assert.equal(guard.refusal(address, address)?.class, kind, address);
  }
});
