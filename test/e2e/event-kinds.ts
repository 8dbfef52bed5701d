// Shared by the event-kind end-to-end tests (delay, delay-process, transactions, idempotency): processor
// registration through the admin API, a Dispatch server that records what it receives and when, and a
// producer client on the stack.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { createReportClient, startDispatchServer, type ReportClient } from '@eventyard/sdk';
import { adminCall, waitUntil, type RunningStack } from './stack.ts';

export interface Received {
  event_id: string;
  topic: string;
  data: string;
  repeat_times: number;
  /** Date.now() when the Dispatch call arrived. */
  at: number;
}

export interface Collector {
  /** `host:port` to register as a processor's addr. */
  addr: string;
  readonly received: Received[];
  /** Polls until an event with this id arrived; returns it. */
  waitFor(eventId: string, timeoutMs?: number): Promise<Received>;
}

export async function registerProcessor(stack: RunningStack, conf: Record<string, unknown>): Promise<void> {
  const { status, body } = await adminCall(stack, 'POST', '/v1/processor', { processor_conf_info: conf });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal((body.ret as { code?: number } | undefined)?.code ?? 0, 0, JSON.stringify(body));
}

/** A Dispatch server answering success and recording every call. */
export async function startCollector(t: TestContext): Promise<Collector> {
  const received: Received[] = [];
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      received.push({
        event_id: req.event_id,
        topic: req.event?.topic_id ?? '',
        data: Buffer.from(req.event?.data ?? []).toString(),
        repeat_times: req.repeat_times,
        at: Date.now(),
      });
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());
  return {
    addr: `127.0.0.1:${server.port}`,
    received,
    async waitFor(eventId, timeoutMs = 20_000) {
      await waitUntil(() => received.some((r) => r.event_id === eventId), timeoutMs, `delivery of ${eventId}`);
      const found = received.find((r) => r.event_id === eventId);
      assert.ok(found);
      return found;
    },
  };
}

/**
 * Reports plain events to (app_id, topic_id) every second until each collector got one. Processor config
 * reaches the router eventually (LISTEN/NOTIFY, periodic reload): an event routed before it is recorded as
 * `no_subscribers`, so a test waits here before reporting what it measures.
 */
export async function warmUp(client: ReportClient, collectors: readonly Collector[], appId: string, topicId: string): Promise<void> {
  const ids: string[] = [];
  const reached = (c: Collector) => c.received.some((r) => ids.includes(r.event_id));
  const deadline = Date.now() + 60_000;
  while (!collectors.every(reached)) {
    assert.ok(Date.now() < deadline, `no warm-up event reached every processor of ${appId}/${topicId} within 60 s`);
    const rsp = await client.report({ event: { app_id: appId, topic_id: topicId, data: Buffer.from('warm-up') } });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    ids.push(rsp.event_id);
    await waitUntil(() => collectors.every(reached), 1000, 'warm-up').catch(() => undefined);
  }
}

export function producerClient(t: TestContext, stack: RunningStack): ReportClient {
  const client = createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc')}` });
  t.after(() => client.close());
  return client;
}
