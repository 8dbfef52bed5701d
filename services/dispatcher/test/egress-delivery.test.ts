// A processor whose address the egress guard refuses, end to end in-process: the delivery fails on its
// first attempt with EY_EGRESS_REFUSED recorded (naming the address and its class) and is not retried,
// although its retry_strategy allows retries: waiting does not make a refused address allowed.
// The addresses are refused before any connection is made, so no traffic leaves the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDispatcher, task, waitForDelivery } from './fixture.ts';

test('gRPC Dispatch and webhooks to refused addresses: one recorded non-retriable attempt each', async (t) => {
  const f = await startDispatcher(t);
  await f.runScheduler();
  const processors = [
    {
      dispatcher_id: 'grpc-private',
      protocol_type: 'grpcSend' as const,
      addr: 'ip://10.255.0.1:9001',
      pattern: /10\.255\.0\.1 is a private address \(class private\)/,
    },
    {
      dispatcher_id: 'grpc-metadata',
      protocol_type: 'grpcSend' as const,
      addr: '169.254.169.254:80',
      pattern: /169\.254\.169\.254 is a cloud metadata service/,
    },
    { dispatcher_id: 'hook-cgnat', protocol_type: 'httpSend' as const, addr: 'http://100.64.0.9/hook', pattern: /100\.64\.0\.9 is a CGNAT/ },
  ];
  for (const { pattern: _pattern, ...processor } of processors) {
    await f.register({ ...processor, retry_strategy: { retry_count: 5, retry_interval: 50 } });
  }
  for (const [i, processor] of processors.entries()) {
    const eventId = String(3001 + i);
    await f.produceTasks(processor.dispatcher_id, [{ task: task(eventId, 'x') }]);
    const delivery = await waitForDelivery(f, eventId, processor.dispatcher_id, ['failed']);
    assert.equal(delivery.attempts.length, 1, processor.dispatcher_id);
    assert.equal(delivery.attempts[0]?.error_code, 'EY_EGRESS_REFUSED', processor.dispatcher_id);
    assert.match(delivery.attempts[0]?.error_message ?? '', processor.pattern, processor.dispatcher_id);
  }
  // Still one attempt a moment later: no retry was scheduled behind the failure.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const attempts = (await f.db.knex('delivery_attempts').whereIn('event_id', ['3001', '3002', '3003']).count({ n: '*' })) as Array<{ n: string | number }>;
  assert.equal(Number(attempts[0]?.n), 3);
});
