import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// In a child process: the default printer would write "(node:…) OddWarning" to stderr.
const SCRIPT = `
import { routeProcessWarnings } from '@eventyard/core';
const lines = [];
routeProcessWarnings({ warn: (obj, msg) => lines.push([obj.err.name, msg]) });
process.emitWarning('something odd', 'OddWarning');
setTimeout(() => process.stdout.write(JSON.stringify(lines)), 20);
`;

test('process warnings go to the logger, not to stderr', () => {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', cwd: import.meta.dirname });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.deepEqual(JSON.parse(run.stdout), [['OddWarning', 'process warning']]);
});
