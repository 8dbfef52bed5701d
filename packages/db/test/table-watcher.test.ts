import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eventyard/core';
import { ProcessorWatcher, upsertProcessor, type ProcessorRecord } from '../src/index.ts';
import { createDatabase } from '../src/testing.ts';

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the watcher loads at start, follows changes through NOTIFY alone, and stops on close', async (t) => {
  const { knex, url } = await createDatabase(t);
  await upsertProcessor(knex, { dispatcher_id: 'first', app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: '127.0.0.1:1' });
  let view: ProcessorRecord[] = [];
  const outcomes: string[] = [];
  // A reload period far beyond the test: only notifications can bring the change in.
  const watcher = new ProcessorWatcher({
    knex,
    databaseUrl: url,
    reloadMs: 600_000,
    logger: silentLogger(),
    onLoad: (p) => (view = p),
    onReload: (o) => outcomes.push(o),
  });
  await watcher.start();
  assert.equal(watcher.state, 'running');
  assert.deepEqual(
    view.map((p) => p.dispatcher_id),
    ['first'],
  );

  await upsertProcessor(knex, { dispatcher_id: 'second', app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: '127.0.0.1:2' });
  await until(() => view.length === 2, 5000, 'the NOTIFY-driven reload');
  assert.ok(outcomes.every((o) => o === 'ok'));

  await watcher.close();
  assert.equal(watcher.state, 'stopped');
  const loadsAtClose = outcomes.length;
  await upsertProcessor(knex, { dispatcher_id: 'third', app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: '127.0.0.1:3' });
  await watcher.reload();
  assert.equal(outcomes.length, loadsAtClose, 'no load after close');
});
