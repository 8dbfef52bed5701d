// Issue 7 end to end over real processes: an API key with the broadcast permission, created through the
// admin API, sends a broadcast Report over gRPC; three processors of the topic whose filters would all
// exclude the event each receive it on their own Dispatch server. The same Report with a report-only
// key is refused with the clear message and reaches no one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createReportClient, startDispatchServer, type DispatchServer } from '@eventyard/sdk';
import { startStack, waitForRouterProcessors, waitUntil, adminCall as admin, type RunningStack } from './stack.ts';

type Json = Record<string, unknown>;

async function createKey(stack: RunningStack, permissions: string[]): Promise<string> {
  const res = await admin(stack, 'POST', '/v1/api-keys', { name: `e2e ${permissions.join('+')}`, app_ids: ['news'], permissions });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return String(res.body.secret);
}

test('broadcast: every processor of the topic gets it despite filters; a report-only key is refused', async (t) => {
  const stack = await startStack(t);
  const received = new Map<string, string[]>();
  const servers: DispatchServer[] = [];
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}`, deadlineMs: 15_000 });
  try {
    // Filters that each exclude the event below (amount 1, region us, tagged "test").
    const filters: Json[] = [{ filter: { amount: { $gte: 100 } } }, { filter: { region: { $in: ['eu'] } } }, { filter_tag: { vip: true } }];
    for (const [index, filter] of filters.entries()) {
      const name = `e2e-bc-${index}`;
      received.set(name, []);
      const server = await startDispatchServer({
        port: 0,
        host: '127.0.0.1',
        handler: async (req) => {
          received.get(name)?.push(req.event_id);
          return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
        },
      });
      servers.push(server);
      const res = await admin(stack, 'POST', '/v1/processor', {
        processor_conf_info: {
          dispatcher_id: name,
          app_id: 'news',
          topic_id: 'announce',
          protocol_type: 'grpcSend',
          addr: `127.0.0.1:${server.port}`,
          timeout: 2000,
          ...filter,
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await waitForRouterProcessors(stack, 3);

    const broadcastKey = await createKey(stack, ['report', 'broadcast']);
    const reportOnlyKey = await createKey(stack, ['report']);
    const event = { app_id: 'news', topic_id: 'announce', event_comm: { event_tag: { tag_list: ['test'] } }, data: Buffer.from('{"amount":1,"region":"us"}') };

    // Refused first, so a wrongly accepted one would have had the whole broadcast's time to arrive.
    let refusedId = '';
    await assert.rejects(client.report({ event }, { apiKey: reportOnlyKey, broadcast: true }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.PERMISSION_DENIED);
      assert.match(err.details, /^authorization: broadcast requires an API key with the broadcast permission for app_id "news"/);
      refusedId = String(err.metadata.get('ey-event-id')[0]);
      return true;
    });

    const rsp = await client.report({ event }, { apiKey: broadcastKey, broadcast: true });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    // Generous: the dispatcher picks up three new delivery topics, which on a loaded machine takes a while.
    await waitUntil(
      () => [...received.values()].every((ids) => ids.includes(rsp.event_id)),
      60_000,
      'all three Dispatch servers to receive the broadcast',
    ).catch(async (err: unknown) => {
      const view = await admin(stack, 'GET', `/v1/events/${rsp.event_id}`);
      throw new Error(
        `${String(err)}\nreceived: ${JSON.stringify([...received])}\nevent: ${JSON.stringify(view.body).slice(0, 2000)}\ndispatcher log: ${stack.logs('dispatcher').slice(-3000)}`,
      );
    });

    // The plain (non-broadcast) Report of the same event is filtered out for all three.
    const plain = await client.report({ event }, { apiKey: reportOnlyKey });
    assert.equal(plain.ret?.code ?? 0, 0);
    await waitUntil(async () => (await admin(stack, 'GET', `/v1/events/${plain.event_id}`)).status === 200, 30_000, 'the plain event recorded');
    const plainView = await admin(stack, 'GET', `/v1/events/${plain.event_id}`);
    assert.equal((plainView.body.event as Json).status, 'filtered');

    const view = await admin(stack, 'GET', `/v1/events/${rsp.event_id}`);
    assert.equal(view.status, 200);
    for (const [name, ids] of received) {
      assert.ok(!ids.includes(refusedId), `${name} never got the refused Report`);
      assert.ok(!ids.includes(plain.event_id), `${name} filtered the plain Report`);
    }
    assert.equal((await admin(stack, 'GET', `/v1/events/${refusedId}`)).status, 404, 'the refused Report was never recorded');
  } finally {
    client.close();
    for (const server of servers) await server.close();
  }
});
