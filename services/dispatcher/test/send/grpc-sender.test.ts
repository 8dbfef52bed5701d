// The gRPC sender against real Dispatch servers: deadlines, unreachable targets, one client per address.
import { CIRCUIT_BREAKER_DEFAULTS } from '@eventyard/evhub';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EgressGuard, type ResolvedAddress } from '@eventyard/core';
import * as grpc from '@grpc/grpc-js';
import { loadEvhub } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';
import { NO_RETRY_POLICY } from '../../src/retry/index.ts';
import type { ProcessorSettings } from '../../src/processors/processor-settings.ts';
import { GrpcSender } from '../../src/send/grpc-sender.ts';

function settings(addr: string, timeoutMs = 2000): ProcessorSettings {
  return {
    dispatcherId: 'p',
    version: 1,
    protocol: 'grpcSend',
    addr,
    timeoutMs,
    concurrency: 1,
    qps: 0,
    retry: NO_RETRY_POLICY,
    ordered: false,
    halted: false,
    webhookSecret: null,
    previousWebhookSecret: null,
    authToken: 'tok',
    tls: null,
    breaker: CIRCUIT_BREAKER_DEFAULTS,
    transform: null,
    webhookFormat: 'evhub',
    problems: [],
  };
}

function send(sender: GrpcSender, s: ProcessorSettings, data = 'x', signal = new AbortController().signal) {
  return sender.send({
    settings: s,
    req: {
      event_id: '9',
      event: { app_id: 'a', topic_id: 't', event_comm: null, data: Buffer.from(data) },
      retry_times: 1,
      repeat_times: 0,
      pass_back: Buffer.from('pb'),
    },
    messageId: 'msg_9_p',
    traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    signal,
  });
}

test('Dispatch with metadata, deadline as timeout, one reused client per address', async (t) => {
  const seen: Array<Record<string, string>> = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: async (req, context) => {
      seen.push(context.headers);
      if (req.event?.data.toString() === 'slow') await new Promise((resolve) => setTimeout(resolve, 1000));
      return { ret: { code: 0, msg: 'ok' }, pass_back: req.pass_back };
    },
  });
  t.after(() => server.close(0));
  const sender = new GrpcSender(EgressGuard.loopbackOnly());
  t.after(() => sender.close());
  const ok = await send(sender, settings(`ip://127.0.0.1:${server.port}`));
  assert.equal(ok.outcome, 'success');
  assert.equal(ok.passBack?.toString(), 'pb');
  assert.equal(seen[0]?.authorization, 'Bearer tok');
  assert.equal(seen[0]?.['webhook-id'], 'msg_9_p');
  assert.match(seen[0]?.traceparent ?? '', /^00-/);
  const slow = await send(sender, settings(`127.0.0.1:${server.port}`, 100), 'slow');
  assert.equal(slow.errorCode, 'timeout');
  assert.equal(sender.clients, 1, 'ip:// and bare host:port share the client');
  sender.retain([]);
  assert.equal(sender.clients, 0);
});

test('an unreachable consumer is a retriable failure; abort cancels the call', async (t) => {
  const sender = new GrpcSender(EgressGuard.loopbackOnly());
  t.after(() => sender.close());
  const down = await send(sender, settings('127.0.0.1:1', 1000));
  assert.equal(down.outcome, 'failure');
  assert.equal(down.retriable, true);
  assert.ok(down.errorCode === 'grpc:UNAVAILABLE' || down.errorCode === 'timeout', String(down.errorCode));

  const server = await startDispatchServer({ host: '127.0.0.1', handler: () => new Promise(() => undefined) });
  t.after(() => server.close(0));
  const abort = new AbortController();
  const pending = send(sender, settings(`127.0.0.1:${server.port}`, 30_000), 'x', abort.signal);
  setTimeout(() => abort.abort(), 50);
  const cancelled = await pending;
  assert.equal(cancelled.errorCode, 'grpc:CANCELLED');
});

test('Dispatch to a refused address is a non-retriable EY_EGRESS_REFUSED failure, no channel and no connection', async (t) => {
  const calls: string[] = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    handler: (req) => {
      calls.push(req.event_id);
      return Promise.resolve({ ret: { code: 0, msg: 'ok' } });
    },
  });
  t.after(() => server.close(0));
  // Names resolve (test-controlled, no real DNS) to the local server: only the guard stands between.
  const resolve = (): Promise<ResolvedAddress[]> => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
  const sender = new GrpcSender(new EgressGuard({ resolve }));
  t.after(() => sender.close());
  for (const addr of [
    `127.0.0.1:${server.port}`,
    `ip://[::1]:${server.port}`,
    `consumer.example.com:${server.port}`,
    '10.1.2.3:9001',
    'dns:///169.254.169.254:80',
    'unix:/var/run/consumer.sock',
    '[::ffff:10.0.0.1]:9001',
  ]) {
    const outcome = await send(sender, settings(addr));
    assert.equal(outcome.outcome, 'failure', addr);
    assert.equal(outcome.errorCode, 'EY_EGRESS_REFUSED', addr);
    assert.equal(outcome.retriable, false, addr);
  }
  assert.equal(sender.clients, 0);
  assert.deepEqual(calls, []);
  // Allowed by host name: the channel dials the checked IP with the name as its authority.
  const allowed = new GrpcSender(new EgressGuard({ allow: ['consumer.example.com'], resolve }));
  t.after(() => allowed.close());
  const { evhubProcessor } = loadEvhub();
  const named = new grpc.Server();
  const authorities: string[] = [];
  named.addService(evhubProcessor.service, {
    Dispatch: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      authorities.push(call.getHost());
      callback(null, { ret: { code: 0, msg: 'ok' } });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    named.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => named.forceShutdown());
  assert.equal((await send(allowed, settings(`consumer.example.com:${port}`))).outcome, 'success');
  assert.deepEqual(authorities, [`consumer.example.com:${port}`]);
});
