import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, Topics, assertValidDispatcherId, topicNameProblem, isEventyardError } from '../src/index.ts';

test('secrets are redacted in log lines, one and two levels deep', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const log = createLogger({ name: 'test', destination }).child({ component: 'unit' });
  log.info({ headers: { authorization: 'Bearer s3cret' }, password: 'hunter2', kafka: { password: 'pw' }, topic: 't' }, 'hello');
  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  assert.equal(line.component, 'unit');
  assert.equal(line.service, 'test');
  assert.equal(line.topic, 't');
  assert.ok(!(lines[0] ?? '').includes('s3cret') && !(lines[0] ?? '').includes('hunter2') && !(lines[0] ?? '').includes('"pw"'));
});

test('topic names and dispatcher ids follow Kafka rules', () => {
  assert.equal(Topics.deliveries('billing.v1'), 'eventyard.deliveries.billing.v1');
  assert.equal(topicNameProblem('ok_name-1.2'), null);
  assert.equal(topicNameProblem('..'), 'must not be "." or ".."');
  assert.doesNotThrow(() => assertValidDispatcherId('a'.repeat(249 - 'eventyard.deliveries.'.length)));
  assert.throws(
    () => assertValidDispatcherId('bad id'),
    (err: unknown) => isEventyardError(err) && err.message === 'dispatcher_id may contain only ASCII letters, digits, ".", "_" and "-"',
  );
  assert.throws(() => assertValidDispatcherId('a'.repeat(250)), /dispatcher_id must be at most 228 characters/);
});
