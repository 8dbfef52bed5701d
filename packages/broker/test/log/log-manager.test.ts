import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ErrorCode, KafkaError, LogManager, type LogManagerOptions } from '../../src/log/index.ts';
import { closeAfter, makeBatch, tempDir, valuesOf } from './batch-factory.ts';

async function open(t: TestContext, dataDir: string, options: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  return closeAfter(t, await LogManager.open({ dataDir, ...options }));
}

async function rejectsWith(p: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof KafkaError && err.errorCode === code && (message === undefined || message.test(err.message)));
}

test('topic names are validated as Kafka does', async (t) => {
  const logs = await open(t, await tempDir(t));
  for (const bad of ['', '.', '..', 'a'.repeat(250), 'has space', 'slash/name', 'ümlaut']) {
    await rejectsWith(logs.createTopic(bad, 1), ErrorCode.INVALID_TOPIC_EXCEPTION);
  }
  await logs.createTopic('a'.repeat(249), 1);
  await logs.createTopic('ok.name_with-chars.1', 1);
  await rejectsWith(logs.createTopic('ok_name_with-chars_1', 1), ErrorCode.INVALID_TOPIC_EXCEPTION, /collides/);
  await rejectsWith(logs.createTopic('ok.name_with-chars.1', 1), ErrorCode.TOPIC_ALREADY_EXISTS);
  await rejectsWith(logs.createTopic('zero', 0), ErrorCode.INVALID_PARTITIONS);
  assert.equal(logs.partition('zero', 0), undefined);
});

test('topic configs: supported ones are validated, compact and unknown names are INVALID_CONFIG', async (t) => {
  const logs = await open(t, await tempDir(t), { defaultTopicConfig: { retentionMs: 1000 } });
  await rejectsWith(logs.createTopic('c1', 1, { 'cleanup.policy': 'compact' }), ErrorCode.INVALID_CONFIG, /compaction/);
  await rejectsWith(logs.createTopic('c1', 1, { 'cleanup.policy': 'compact,delete' }), ErrorCode.INVALID_CONFIG);
  await rejectsWith(logs.createTopic('c1', 1, { 'max.message.bytes': '-1' }), ErrorCode.INVALID_CONFIG, /max\.message\.bytes.*at least 0/);
  await rejectsWith(logs.createTopic('c1', 1, { 'no.such.config': '1' }), ErrorCode.INVALID_CONFIG, /Unknown topic config name: no\.such\.config/);
  await rejectsWith(logs.createTopic('c1', 1, { 'segment.bytes': '10' }), ErrorCode.INVALID_CONFIG);
  await rejectsWith(logs.createTopic('c1', 1, { 'retention.ms': 'soon' }), ErrorCode.INVALID_CONFIG);
  assert.deepEqual(logs.listTopics(), []);
  await logs.createTopic('c1', 2, { 'retention.bytes': '5000', 'cleanup.policy': 'delete', 'segment.bytes': '2048' });
  assert.deepEqual(logs.listTopics(), [
    { name: 'c1', partitions: 2, configs: { 'retention.bytes': '5000', 'cleanup.policy': 'delete', 'segment.bytes': '2048' } },
  ]);
  const described = Object.fromEntries(logs.describeConfigs('c1').map((c) => [c.name, c]));
  assert.deepEqual(described['retention.ms'], { name: 'retention.ms', value: '1000', readOnly: false, isDefault: true, isSensitive: false });
  assert.equal(described['retention.bytes']?.value, '5000');
  assert.equal(described['retention.bytes']?.isDefault, false);
  assert.equal(described['segment.bytes']?.value, '2048');
  assert.equal(described['cleanup.policy']?.value, 'delete');
  assert.throws(
    () => logs.describeConfigs('nope'),
    (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
});

test('create, createPartitions and delete persist across close/open; data stays with its partition', async (t) => {
  const dataDir = await tempDir(t);
  const logs = await open(t, dataDir);
  await logs.createTopic('keep', 1, { 'segment.bytes': '1024' });
  await logs.createTopic('drop', 2);
  await logs.partition('keep', 0)!.append(await makeBatch({ values: ['k0', 'k1'] }));
  await logs.partition('drop', 1)!.append(await makeBatch({ values: ['d'] }));
  await rejectsWith(logs.createPartitions('keep', 1), ErrorCode.INVALID_PARTITIONS);
  await rejectsWith(logs.createPartitions('nope', 3), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  await logs.createPartitions('keep', 3);
  await logs.partition('keep', 2)!.append(await makeBatch({ values: ['k2-0'] }));
  await logs.deleteTopic('drop');
  await rejectsWith(logs.deleteTopic('drop'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(logs.partition('drop', 1), undefined);
  assert.equal(fs.existsSync(path.join(dataDir, 'drop-1')), false);
  await logs.close();

  const reopened = await open(t, dataDir);
  assert.deepEqual(reopened.listTopics(), [{ name: 'keep', partitions: 3, configs: { 'segment.bytes': '1024' } }]);
  assert.deepEqual(await valuesOf(reopened.partition('keep', 0)!.read(0n, 1 << 20).records), ['k0', 'k1']);
  assert.equal(reopened.partition('keep', 1)!.highWatermark, 0n);
  assert.deepEqual(await valuesOf(reopened.partition('keep', 2)!.read(0n, 1 << 20).records), ['k2-0']);
  // A re-created topic starts empty.
  await reopened.createTopic('drop', 2);
  assert.equal(reopened.partition('drop', 1)!.highWatermark, 0n);
});

test('partition dirs left by a crash during delete are removed on open and never reused', async (t) => {
  const dataDir = await tempDir(t);
  const logs = await open(t, dataDir);
  await logs.createTopic('ghost', 1);
  await logs.partition('ghost', 0)!.append(await makeBatch({ values: ['boo'] }));
  await logs.close();
  // As if the metadata was written but the directory not yet removed.
  fs.writeFileSync(path.join(dataDir, '__meta', 'topics.json'), JSON.stringify({ version: 1, topics: {} }));
  const reopened = await open(t, dataDir);
  assert.equal(fs.existsSync(path.join(dataDir, 'ghost-0')), false);
  await reopened.createTopic('ghost', 1);
  assert.equal(reopened.partition('ghost', 0)!.highWatermark, 0n);
});

test('committed offsets are durable, survive reopen, and a torn journal tail is dropped', async (t) => {
  const dataDir = await tempDir(t);
  const logs = await open(t, dataDir);
  await logs.offsets.commit('g1', [
    { topic: 'a', partition: 0, offset: 5n, metadata: 'm' },
    { topic: 'a', partition: 1, offset: 7n, metadata: null },
  ]);
  await logs.offsets.commit('g1', [{ topic: 'a', partition: 0, offset: 6n, metadata: null }]);
  await logs.offsets.commit('g2', [{ topic: 'b', partition: 0, offset: 1n, metadata: null }]);
  await logs.offsets.commit('g3', [{ topic: 'b', partition: 0, offset: 2n, metadata: null }]);
  await logs.offsets.deleteGroup('g3');
  await logs.offsets.deleteTopic('b');
  await logs.close();
  fs.appendFileSync(path.join(dataDir, '__meta', 'offsets.journal'), '{"c":["g1",[["a",0,"99"');

  const reopened = await open(t, dataDir);
  assert.deepEqual(reopened.offsets.fetch('g1', 'a', 0), { offset: 6n, metadata: null });
  assert.deepEqual(reopened.offsets.fetchAll('g1'), [
    { topic: 'a', partition: 0, offset: 6n, metadata: null },
    { topic: 'a', partition: 1, offset: 7n, metadata: null },
  ]);
  assert.equal(reopened.offsets.fetch('g2', 'b', 0), undefined);
  assert.deepEqual(reopened.offsets.groups(), ['g1']);
  await reopened.offsets.commit('g1', [{ topic: 'a', partition: 1, offset: 8n, metadata: 'x' }]);
  await reopened.close();
  const third = await open(t, dataDir);
  assert.deepEqual(third.offsets.fetch('g1', 'a', 1), { offset: 8n, metadata: 'x' });
});

test('the offset journal is compacted and stays correct', async (t) => {
  const { OffsetStore } = await import('../../src/log/offset-store.ts');
  const dir = await tempDir(t);
  const store = closeAfter(t, OffsetStore.open(dir, { compactAfterBytes: 2000 }));
  await Promise.all(Array.from({ length: 300 }, (_, i) => store.commit(`g${i % 3}`, [{ topic: 't', partition: i % 4, offset: BigInt(i), metadata: null }])));
  // 300 lines of ~34 bytes were written; compaction keeps the file near its threshold.
  assert.ok(fs.statSync(path.join(dir, 'offsets.journal')).size < 2100, 'compacted');
  await store.close();
  const reopened = closeAfter(t, OffsetStore.open(dir));
  assert.equal(reopened.fetch('g2', 't', 3)?.offset, 299n);
  assert.equal(reopened.fetch('g0', 't', 0)?.offset, 288n);
  assert.deepEqual(reopened.groups().sort(), ['g0', 'g1', 'g2']);
});

test('producer ids are unique across restarts', async (t) => {
  const dataDir = await tempDir(t);
  const logs = await open(t, dataDir);
  const first = await Promise.all([logs.allocateProducerId(), logs.allocateProducerId(), logs.allocateProducerId()]);
  assert.deepEqual(first, [0n, 1n, 2n]);
  await logs.close();
  const reopened = await open(t, dataDir);
  assert.equal(await reopened.allocateProducerId(), 3n);
});

test('enforceRetention applies each topic config', async (t) => {
  const logs = await open(t, await tempDir(t));
  await logs.createTopic('small', 1, { 'segment.bytes': '1024', 'retention.bytes': '1024' });
  await logs.createTopic('forever', 1, { 'segment.bytes': '1024', 'retention.ms': '-1' });
  for (let i = 0; i < 20; i++) {
    const batch = await makeBatch({ values: [`v${i}`.padEnd(200, '.')], baseTimestamp: 1000 });
    await logs.partition('small', 0)!.append(Buffer.from(batch));
    await logs.partition('forever', 0)!.append(Buffer.from(batch));
  }
  await logs.enforceRetention();
  assert.ok(logs.partition('small', 0)!.logStartOffset > 0n);
  assert.equal(logs.partition('forever', 0)!.logStartOffset, 0n);
});

test('interval flush policy: appends resolve and are persisted', async (t) => {
  const dataDir = await tempDir(t);
  const logs = await open(t, dataDir, { flush: { mode: 'interval', intervalMs: 20 } });
  await logs.createTopic('fast', 1);
  for (let i = 0; i < 10; i++) await logs.partition('fast', 0)!.append(await makeBatch({ values: [`f${i}`] }));
  await logs.close();
  const reopened = await open(t, dataDir);
  assert.equal(reopened.partition('fast', 0)!.highWatermark, 10n);
});
