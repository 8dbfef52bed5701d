import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createLifecycle, INVALID_STATE, isEventyardError, silentLogger, type LifecycleOptions } from '../src/index.ts';

function recorder(overrides: Partial<LifecycleOptions> = {}): { events: string[]; options: LifecycleOptions } {
  const events: string[] = [];
  const options: LifecycleOptions = {
    name: 'test-service',
    logger: silentLogger(),
    health: { port: 0, host: '127.0.0.1', registry: new Registry(), readiness: { ready: () => true } },
    start: async () => void events.push('start parts'),
    stop: [
      ['stop intake', async () => void events.push('stop intake')],
      ['flush producer', async () => void events.push('flush producer')],
    ],
    release: [['close pool', async () => void events.push('close pool')]],
    ...overrides,
  };
  return { events, options };
}

test('start brings the health server up first and is idempotent; close runs the steps in order, health before release', async () => {
  const { events, options } = recorder();
  const life = createLifecycle(options);
  assert.equal(life.state, 'created');
  const first = life.start();
  assert.equal(life.start(), first, 'a second start() is the same promise');
  await first;
  assert.equal(life.state, 'running');
  const res = await fetch(`http://127.0.0.1:${life.healthPort}/readyz`);
  assert.equal(res.status, 200);
  const closed = life.close();
  assert.equal(life.close(), closed, 'a second close() is the same promise');
  await closed;
  assert.equal(life.state, 'stopped');
  assert.deepEqual(events, ['start parts', 'stop intake', 'flush producer', 'close pool']);
  await assert.rejects(fetch(`http://127.0.0.1:${life.healthPort}/healthz`), 'the health server is closed');
});

test('start after close is a coded error, not a silent restart', async () => {
  const { options } = recorder();
  const life = createLifecycle(options);
  await life.start();
  await life.close();
  await assert.rejects(
    life.start(),
    (err: unknown) => isEventyardError(err) && err.code === INVALID_STATE && /test-service cannot start: it is stopped/.test(err.message),
  );
});

test('a failing step is logged and the next steps still run; close during start waits for it', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { events, options } = recorder({
    start: async () => {
      await gate;
      events.push('start parts');
    },
    stop: [
      ['broken', async () => Promise.reject(new Error('boom'))],
      ['stop intake', async () => void events.push('stop intake')],
    ],
  });
  const life = createLifecycle(options);
  const started = life.start();
  const closed = life.close();
  assert.equal(life.state, 'starting');
  release();
  await started;
  await closed;
  assert.equal(life.state, 'stopped');
  assert.deepEqual(events, ['start parts', 'stop intake', 'close pool']);
});

test('close after a failed start still closes what was opened', async () => {
  const { events, options } = recorder({ start: async () => Promise.reject(new Error('no broker')) });
  const life = createLifecycle(options);
  await assert.rejects(life.start(), /no broker/);
  await life.close();
  assert.equal(life.state, 'stopped');
  assert.deepEqual(events, ['stop intake', 'flush producer', 'close pool']);
});
