// Idempotency across a producer crash (issue 14): a producer SIGKILLed after claiming a Report's key and
// before the broker acknowledged the record leaves the claim in progress. A duplicate is never answered
// OK with that claim's event id (it was never written); once the claim expires (publish timeout + 1 s),
// the client's retry of the same Report on a live producer takes the key over and the event is delivered
// once, exactly as a Report that was never interrupted. The kill point is the test-only afterClaim fault
// of services/producer/test/stall-after-claim.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { producerClient, registerProcessor, startCollector, warmUp } from './event-kinds.ts';
import { startExtraProducer } from './extra-producer.ts';
import { startStack, waitUntil } from './stack.ts';

const PUBLISH_TIMEOUT_MS = '1000';

test('idempotency: producer killed -9 between claim and ack; the retry after the claim expires is delivered once, as if first sent', async (t) => {
  const stack = await startStack(t, { env: { EY_PUBLISH_TIMEOUT_MS: PUBLISH_TIMEOUT_MS } });
  const collector = await startCollector(t);
  await registerProcessor(stack, {
    dispatcher_id: 'e2e-idem-crash',
    app_id: 'shop',
    topic_id: 'idem-crash',
    protocol_type: 'grpcSend',
    addr: collector.addr,
    timeout: 2000,
  });
  const client = producerClient(t, stack);
  await warmUp(client, [collector], 'shop', 'idem-crash');

  const requestWith = (key: string) => ({
    event: { app_id: 'shop', topic_id: 'idem-crash', event_comm: { event_tag: { tag_list: ['paid'] } }, data: Buffer.from('order 77 paid') },
    option: { orderingKey: 'order-77', idempotent: { key, idempotent_time: { seconds: 600 } } },
  });
  const request = requestWith('order-77-paid');

  // The claim's holder dies between claim and acknowledgement.
  const faulty = await startExtraProducer(t, stack, {
    entry: 'services/producer/test/stall-after-claim.ts',
    env: { EY_PUBLISH_TIMEOUT_MS: PUBLISH_TIMEOUT_MS },
  });
  const lost = faulty.client.report(request, { deadlineMs: 60_000 });
  lost.catch(() => undefined);
  const claimedLine = /fault after-claim (\d+)/;
  await waitUntil(() => claimedLine.test(faulty.output()), 30_000, 'the faulty producer claimed the key');
  const deadId = claimedLine.exec(faulty.output())?.[1] ?? '';
  await faulty.kill();
  await assert.rejects(lost, 'the interrupted Report got no answer');
  const claim = (await stack.knex('idempotency_keys').where({ key: 'order-77-paid' }).first('status', 'event_id')) as { status: string; event_id: string };
  assert.deepEqual(claim, { status: 'in_progress', event_id: deadId });

  // The client retries the same Report on the live producer until it is accepted.
  const refusals: string[] = [];
  let accepted: Awaited<ReturnType<typeof client.report>> | undefined;
  const deadline = Date.now() + 30_000;
  while (accepted === undefined) {
    assert.ok(Date.now() < deadline, `no retry accepted within 30 s; refusals: ${refusals.join(', ')}`);
    try {
      const answer = await client.report(request);
      assert.notEqual(answer.event_id, deadId, "the dead claim's event id was never written and is never handed out");
      if ((answer.ret?.code ?? 0) === 0) accepted = answer;
      else refusals.push(`ret ${answer.ret?.code}`);
    } catch (err) {
      const grpcErr = err as ServiceError;
      if (grpcErr.code !== GrpcStatus.UNAVAILABLE) throw err;
      assert.deepEqual(grpcErr.metadata.get('ey-ret-code'), ['20005'], grpcErr.details);
      refusals.push('UNAVAILABLE 20005');
    }
    if (accepted === undefined) await sleep(200);
  }
  t.diagnostic(`retries refused before the claim expired: ${refusals.join(', ') || 'none'}`);
  const delivered = await collector.waitFor(accepted.event_id, 30_000);
  assert.equal(delivered.topic, 'idem-crash');
  assert.equal(delivered.data, 'order 77 paid');

  // Later duplicates get the delivered event id; nothing else is published for the key.
  const again = await client.report(request);
  assert.equal(again.ret?.code ?? 0, 0);
  assert.equal(again.event_id, accepted.event_id);

  // The same Report never interrupted (another key), for comparison: the recovered event matches it.
  const reference = await client.report(requestWith('order-77-reference'));
  assert.equal(reference.ret?.code ?? 0, 0);
  await collector.waitFor(reference.event_id);
  const marker = await client.report({ event: { app_id: 'shop', topic_id: 'idem-crash', data: Buffer.from('marker') } });
  await collector.waitFor(marker.event_id);
  assert.equal(collector.received.filter((r) => r.event_id === accepted?.event_id).length, 1, 'delivered once');
  assert.equal(collector.received.filter((r) => r.event_id === deadId).length, 0, 'the dead claim published nothing');
  assert.equal(collector.received.filter((r) => r.data === 'order 77 paid').length, 2, 'the recovered event and the reference, nothing else');

  const columns = ['app_id', 'topic_id', 'trigger_type', 'trigger', 'status', 'source', 'event_comm', 'payload', 'ordering_key', 'broadcast'];
  const rows = (await stack
    .knex('events')
    .whereIn('event_id', [accepted.event_id, reference.event_id])
    .orderBy('event_id')
    .select('event_id', 'idempotency_key', ...columns)) as Array<Record<string, unknown>>;
  assert.equal(rows.length, 2);
  const [recovered, uninterrupted] = rows;
  assert.equal(recovered?.idempotency_key, 'order-77-paid');
  for (const column of columns) assert.deepEqual(recovered?.[column], uninterrupted?.[column], `events.${column} as if first sent`);
  const keyed = (await stack.knex('events').where({ idempotency_key: 'order-77-paid' }).pluck('event_id')) as string[];
  assert.deepEqual(keyed, [accepted.event_id], 'one event recorded for the key');
});
