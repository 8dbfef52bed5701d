// Event ids across instances: two generators on two leased node ids, running concurrently, never
// produce the same id, and each one's ids increase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdGenerator, decodeEventId } from '@eventyard/core';
import { acquireNodeId } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

async function generate(gen: IdGenerator, count: number): Promise<string[]> {
  const ids: string[] = [];
  // Interleave with the other generator through the event loop, as two instances would.
  for (let i = 0; i < count; i++) {
    ids.push(gen.next());
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return ids;
}

test('ids from two leased node ids are unique and increasing per node', async (t) => {
  const { knex } = await createDatabase(t);
  const [a, b] = await Promise.all([acquireNodeId(knex, { owner: 'a', ttlMs: 30_000 }), acquireNodeId(knex, { owner: 'b', ttlMs: 30_000 })]);
  assert.notEqual(a.nodeId, b.nodeId, 'two live leases never share a node id');

  const genA = new IdGenerator({ nodeId: a.nodeId });
  const genB = new IdGenerator({ nodeId: b.nodeId });
  const [idsA, idsB] = await Promise.all([generate(genA, 50_000), generate(genB, 50_000)]);

  for (const [ids, nodeId] of [
    [idsA, a.nodeId],
    [idsB, b.nodeId],
  ] as const) {
    for (let i = 1; i < ids.length; i++) assert.ok(BigInt(ids[i] ?? 0) > BigInt(ids[i - 1] ?? 0), 'increasing per node');
    assert.equal(decodeEventId(ids[0] ?? '').nodeId, nodeId);
  }
  const all = new Set([...idsA, ...idsB]);
  assert.equal(all.size, idsA.length + idsB.length, 'no id shared between the two nodes');
  await Promise.all([a.release(), b.release()]);
});
