import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Shutdown, createLogger, shutdownSteps, silentLogger } from '../src/index.ts';

test('steps run in order, one at a time; a failing step is logged and the exit code becomes 1', async () => {
  const order: string[] = [];
  const codes: number[] = [];
  const shutdown = new Shutdown({ logger: silentLogger(), exit: (code) => codes.push(code) });
  shutdown
    .add('stop intake', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('stop intake');
    })
    .add('commit', () => {
      order.push('commit');
      throw new Error('broker gone');
    })
    .add('close', () => {
      order.push('close');
    });
  await shutdown.run('SIGTERM');
  assert.deepEqual(order, ['stop intake', 'commit', 'close']);
  assert.deepEqual(codes, [1]);
  assert.equal(shutdown.state, 'done');
});

test('a second request while draining forces exit 1', async () => {
  const codes: number[] = [];
  let release!: () => void;
  const shutdown = new Shutdown({ logger: silentLogger(), exit: (code) => codes.push(code) });
  shutdown.add('drain', () => new Promise<void>((resolve) => (release = resolve)));
  const first = shutdown.run('SIGTERM');
  await shutdown.run('SIGINT');
  assert.deepEqual(codes, [1]);
  release();
  await first;
  assert.deepEqual(codes, [1, 0]);
});

test('the deadline forces exit 1 when a step hangs', async () => {
  const codes: number[] = [];
  const shutdown = new Shutdown({ logger: silentLogger(), deadlineMs: 30, exit: (code) => codes.push(code) });
  shutdown.add('hang', () => new Promise<void>(() => undefined));
  void shutdown.run('SIGTERM');
  const deadline = Date.now() + 5000;
  while (codes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(codes, [1]);
});

test('shutdownSteps logs each step done, and a failed step as failed without stopping the sequence', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const log = createLogger({ name: 'unit', destination });
  const step = shutdownSteps(log, 'unit');
  await step('first', () => undefined);
  await step('broken', () => {
    throw new Error('pool gone');
  });
  await step('last', async () => undefined);
  assert.deepEqual(
    lines.map((l) => [l.msg, l.step]),
    [
      ['unit shutdown step done', 'first'],
      ['unit shutdown step failed', 'broken'],
      ['unit shutdown step done', 'last'],
    ],
  );
});
