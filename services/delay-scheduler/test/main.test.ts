// main.ts as a real process with env only: it becomes ready, fires a timer, and exits 0 on SIGTERM
// after its ordered shutdown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { findFreePort } from '@eventyard/db';
import { scheduleItem, startFixture, waitFor } from './fixture.ts';

test('main.ts runs from env vars, fires timers and shuts down cleanly on SIGTERM', async (t) => {
  const f = await startFixture(t);
  const healthPort = await findFreePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'src', 'main.ts')], {
    env: {
      PATH: process.env.PATH,
      EY_DATABASE_URL: f.db.url,
      EY_KAFKA_BROKERS: `127.0.0.1:${f.broker.port}`,
      EY_HEALTH_PORT: String(healthPort),
      EY_LOG_LEVEL: 'info',
      EY_SCHEDULER_FETCH_MAX_WAIT_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': only then has every line of its stdout been read.
  const exited = once(child, 'close');
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200;
    } catch {
      return false;
    }
  };
  await waitFor(ready, 20_000, `readiness (output so far: ${output})`);
  const topic = await f.createTopic();
  const reader = await f.readTopic(topic);
  await f.produceRaw([{ value: scheduleItem({ timerId: 'from-main', dueAt: Date.now() + 300, targetTopic: topic, value: 'main' }) }]);
  await reader.until((rs) => rs.length === 1, 'the timer fired by the process');
  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, output);
  assert.match(output, /"msg":"shutdown complete"/);
  assert.match(output, /"step":"stop schedule consumer"/);
});
