// The Node flags `eventyard dev` gives the stack's processes: a small young generation by default,
// EY_DEV_NODE_FLAGS instead when set (empty: none), and a clear error for a word that is no flag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devNodeFlags } from '../src/dev.ts';
import { CliErrors } from '../src/error-codes.ts';

test('default: a 2 MiB semi-space', () => {
  assert.deepEqual(devNodeFlags({}), ['--max-semi-space-size=2']);
});

test('EY_DEV_NODE_FLAGS replaces the default; empty means none', () => {
  assert.deepEqual(devNodeFlags({ EY_DEV_NODE_FLAGS: '--max-semi-space-size=8  --stack-size=2000' }), ['--max-semi-space-size=8', '--stack-size=2000']);
  assert.deepEqual(devNodeFlags({ EY_DEV_NODE_FLAGS: '' }), []);
});

test('a word that is no flag: a usage error naming it', () => {
  assert.throws(() => devNodeFlags({ EY_DEV_NODE_FLAGS: '--max-semi-space-size=2 services/x.ts' }), {
    code: CliErrors.EY_CLI_USAGE.code,
    message: /EY_DEV_NODE_FLAGS: "services\/x\.ts" is not a Node flag/,
  });
});
