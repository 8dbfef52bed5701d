// The webhook sender against real local HTTP servers: the egress guard (literal and resolved names),
// timeouts, bounded reading of large bodies, and connection reuse.
import { CIRCUIT_BREAKER_DEFAULTS } from '@eventyard/evhub';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_RETRY_POLICY } from '../../src/retry/index.ts';
import type { ProcessorSettings } from '../../src/processors/processor-settings.ts';
import { HttpSender } from '../../src/send/http-sender.ts';
import { EgressGuard, type ResolvedAddress } from '@eventyard/core';

function settings(addr: string, fields: Partial<ProcessorSettings> = {}): ProcessorSettings {
  return {
    dispatcherId: 'p',
    version: 1,
    protocol: 'httpSend',
    addr,
    timeoutMs: 2000,
    concurrency: 1,
    qps: 0,
    retry: NO_RETRY_POLICY,
    ordered: false,
    halted: false,
    webhookSecret: null,
    previousWebhookSecret: null,
    authToken: null,
    tls: null,
    breaker: CIRCUIT_BREAKER_DEFAULTS,
    transform: null,
    webhookFormat: 'evhub',
    problems: [],
    ...fields,
  };
}

function send(sender: HttpSender, s: ProcessorSettings) {
  return sender.send({
    settings: s,
    req: {
      event_id: '1',
      event: { app_id: 'a', topic_id: 't', event_comm: null, data: Buffer.from('x') },
      retry_times: 0,
      repeat_times: 0,
      pass_back: Buffer.alloc(0),
    },
    messageId: 'msg_1',
    traceParent: '',
    signal: new AbortController().signal,
  });
}

async function listen(t: { after(fn: () => Promise<void>): void }, handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** A resolver the test controls: every name resolves to `address` (no real DNS, no traffic to it). */
function resolvingTo(address: string): (host: string) => Promise<ResolvedAddress[]> {
  return () => Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
}

test('the egress guard refuses refused targets by literal and by resolved name, without connecting', async (t) => {
  let hits = 0;
  const { port } = await listen(t, (_req, res) => {
    hits++;
    res.end();
  });
  const guarded = new HttpSender({ egress: new EgressGuard(), maxResponseBytes: 1024, connectionsPerOrigin: 4 });
  t.after(() => guarded.close());
  for (const addr of [
    `127.0.0.1:${port}/hook`,
    `localhost:${port}/hook`,
    `http://[::1]:${port}/hook`,
    'http://169.254.169.254/latest/meta-data',
    'http://metadata.google.internal/computeMetadata/v1/',
  ]) {
    const outcome = await send(guarded, settings(addr));
    assert.equal(outcome.outcome, 'failure', addr);
    assert.equal(outcome.errorCode, 'EY_EGRESS_REFUSED', addr);
    assert.equal(outcome.retriable, false, addr);
  }
  // A public-looking name that a (test-controlled) resolver points at the local server: refused at connect.
  const rebound = new HttpSender({ egress: new EgressGuard({ resolve: resolvingTo('127.0.0.1') }), maxResponseBytes: 1024, connectionsPerOrigin: 4 });
  t.after(() => rebound.close());
  const outcome = await send(rebound, settings(`hooks.example.com:${port}/hook`));
  assert.equal(outcome.errorCode, 'EY_EGRESS_REFUSED');
  assert.match(outcome.errorMessage ?? '', /hooks\.example\.com resolves to 127\.0\.0\.1, which is a loopback address \(class loopback\)/);
  assert.equal(hits, 0);
  // The dev guard (loopback allowed) reaches it, and so does an operator's EY_EGRESS_ALLOW host.
  const dev = new HttpSender({ egress: EgressGuard.loopbackOnly(), maxResponseBytes: 1024, connectionsPerOrigin: 4 });
  t.after(() => dev.close());
  assert.equal((await send(dev, settings(`localhost:${port}/hook`))).outcome, 'success');
  const allowed = new HttpSender({
    egress: new EgressGuard({ allow: ['hooks.example.com'], resolve: resolvingTo('127.0.0.1') }),
    maxResponseBytes: 1024,
    connectionsPerOrigin: 4,
  });
  t.after(() => allowed.close());
  assert.equal((await send(allowed, settings(`hooks.example.com:${port}/hook`))).outcome, 'success');
  assert.equal(hits, 2);
});

test('a slow webhook times out (retriable), a large body is read to the end but only its prefix kept', async (t) => {
  const big = Buffer.alloc(256 * 1024, 'a');
  let connections = 0;
  const { server, port } = await listen(t, (req, res) => {
    if (req.url === '/slow') {
      setTimeout(() => res.end(), 5000).unref();
      return;
    }
    res.writeHead(503, { 'retry-after': '7' }).end(big);
  });
  server.on('connection', () => connections++);
  const sender = new HttpSender({ egress: EgressGuard.loopbackOnly(), maxResponseBytes: 2048, connectionsPerOrigin: 1 });
  t.after(() => sender.close());
  const slow = await send(sender, settings(`127.0.0.1:${port}/slow`, { timeoutMs: 200 }));
  assert.equal(slow.errorCode, 'timeout');
  assert.equal(slow.retriable, true);
  const first = await send(sender, settings(`127.0.0.1:${port}/big`));
  const second = await send(sender, settings(`127.0.0.1:${port}/big`));
  for (const outcome of [first, second]) {
    assert.equal(outcome.errorCode, 'http:503');
    assert.equal(outcome.retriable, true);
    assert.equal(outcome.retryAfterMs, 7000);
    assert.ok((outcome.responseExcerpt?.length ?? 0) <= 1024);
  }
  // The timed-out request's connection is gone; both 503s shared one kept-alive connection.
  assert.equal(connections, 2);
});
