import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEventId, IdGenerator, isEventyardError } from '@eventyard/core';
import { acquireNodeId, startNodeIdLease, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

const TTL = 60_000;

/** Marks every node id except `except` as held by someone else, so the next claim can only get `except`. */
async function holdAllBut(knex: Knex, except: number): Promise<void> {
  await knex('node_id_leases')
    .whereNot({ node_id: except })
    .update({ owner: 'someone-else', expires_at: knex.raw("now() + interval '1 hour'") });
}

function hasCode(code: string) {
  return (err: unknown): boolean => {
    assert.ok(isEventyardError(err), String(err));
    assert.equal(err.code, code);
    return true;
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('concurrent claims get different node ids, recorded with their owner', async (t) => {
  const { knex } = await createDatabase(t, { poolMax: 10 });
  const leases = await Promise.all(Array.from({ length: 20 }, (_, i) => acquireNodeId(knex, { owner: `instance-${i}`, ttlMs: TTL })));
  const ids = leases.map((lease) => lease.nodeId);
  assert.equal(new Set(ids).size, 20, `distinct ids: ${ids.join(',')}`);
  for (const id of ids) assert.ok(id >= 0 && id <= 1023);
  const owners = await knex('node_id_leases').whereIn('node_id', ids).pluck('owner');
  assert.equal(new Set(owners).size, 20);
});

test('ids generated from two leased node ids at once are unique and increasing per node', async (t) => {
  const { knex } = await createDatabase(t);
  const [a, b] = await Promise.all([acquireNodeId(knex, { owner: 'a', ttlMs: TTL }), acquireNodeId(knex, { owner: 'b', ttlMs: TTL })]);
  assert.ok(a !== undefined && b !== undefined);
  assert.notEqual(a.nodeId, b.nodeId);
  const generate = async (nodeId: number): Promise<string[]> => {
    const generator = new IdGenerator({ nodeId });
    const ids: string[] = [];
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 1000; i += 1) ids.push(generator.next());
      await new Promise((resolve) => setImmediate(resolve)); // interleave the two generators
    }
    return ids;
  };
  const [fromA, fromB] = await Promise.all([generate(a.nodeId), generate(b.nodeId)]);
  assert.equal(new Set([...fromA, ...fromB]).size, fromA.length + fromB.length, 'no id repeats across the two nodes');
  for (const [ids, nodeId] of [
    [fromA, a.nodeId],
    [fromB, b.nodeId],
  ] as const) {
    for (let i = 1; i < ids.length; i += 1) assert.ok(BigInt(ids[i]!) > BigInt(ids[i - 1]!), 'strictly increasing per node');
    assert.equal(decodeEventId(ids[0]!).nodeId, nodeId);
  }
});

test('an expired lease is taken over, and its old holder can no longer renew', async (t) => {
  const { knex } = await createDatabase(t);
  const first = await acquireNodeId(knex, { owner: 'first', ttlMs: TTL });
  await first.renew();
  await holdAllBut(knex, first.nodeId);
  await assert.rejects(acquireNodeId(knex, { owner: 'second', ttlMs: TTL }), hasCode('EY_NODE_ID_EXHAUSTED'));

  await knex('node_id_leases')
    .where({ node_id: first.nodeId })
    .update({ expires_at: knex.raw("now() - interval '1 second'") });
  const second = await acquireNodeId(knex, { owner: 'second', ttlMs: TTL });
  assert.equal(second.nodeId, first.nodeId);
  await assert.rejects(first.renew(), hasCode('EY_NODE_ID_LEASE_LOST'));
  await first.release(); // must not free the new holder's lease
  const row = await knex('node_id_leases').where({ node_id: second.nodeId }).first('owner');
  assert.equal(row?.owner, 'second');
  await second.renew();
});

test('release frees the node id at once', async (t) => {
  const { knex } = await createDatabase(t);
  const first = await acquireNodeId(knex, { owner: 'first', ttlMs: TTL });
  await holdAllBut(knex, first.nodeId);
  await first.release();
  await first.release(); // idempotent
  const second = await acquireNodeId(knex, { owner: 'second', ttlMs: TTL });
  assert.equal(second.nodeId, first.nodeId);
});

test('startNodeIdLease renews in the background and reports a takeover through onLost', async (t) => {
  const { knex } = await createDatabase(t);
  const lost: Error[] = [];
  const lease = await startNodeIdLease(knex, { owner: 'svc', ttlMs: 300, onLost: (err) => lost.push(err) });
  t.after(() => lease.close());
  const expiresAt = async (): Promise<number> =>
    ((await knex('node_id_leases').where({ node_id: lease.nodeId }).first('expires_at')) as { expires_at: Date }).expires_at.getTime();
  const initial = await expiresAt();
  await waitFor(async () => (await expiresAt()) > initial, 'a renewal');
  assert.deepEqual(lost, []);

  // Another instance takes the id (as after a long pause of this process).
  await knex('node_id_leases')
    .where({ node_id: lease.nodeId })
    .update({ token: knex.raw('gen_random_uuid()'), owner: 'thief' });
  await waitFor(() => lost.length > 0, 'onLost');
  assert.equal((lost[0] as (Error & { code?: string }) | undefined)?.code, 'EY_NODE_ID_LEASE_LOST');
  await lease.close();
  const row = await knex('node_id_leases').where({ node_id: lease.nodeId }).first('owner');
  assert.equal(row?.owner, 'thief', "closing a lost lease does not free the thief's id");
});

test('closing a running lease releases its node id', async (t) => {
  const { knex } = await createDatabase(t);
  const lease = await startNodeIdLease(knex, { owner: 'svc', ttlMs: TTL, onLost: () => assert.fail('not lost') });
  await lease.close();
  await lease.close();
  const row = (await knex('node_id_leases').where({ node_id: lease.nodeId }).first('owner', knex.raw('expires_at < now() as free'))) as {
    owner: string | null;
    free: boolean;
  };
  assert.deepEqual(row, { owner: null, free: true });
});

test('a ttl that is not a sane integer is refused', async (t) => {
  const { knex } = await createDatabase(t);
  await assert.rejects(acquireNodeId(knex, { owner: 'x', ttlMs: 0 }), hasCode('EY_INVALID_LEASE_TTL'));
});
