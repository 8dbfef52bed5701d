// The webhook sender against real local HTTP servers: the SSRF guard (literal and resolved names),
// timeouts, bounded reading of large bodies, and connection reuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NO_RETRY_POLICY } from '../../src/retry/index.ts';
import type { ProcessorSettings } from '../../src/processors/processor-settings.ts';
import { HttpSender } from '../../src/send/http-sender.ts';
import { isForbiddenAddress, TARGET_FORBIDDEN } from '../../src/send/ssrf-guard.ts';

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
    authToken: null,
    problems: [],
    ...fields,
  };
}

function send(sender: HttpSender, s: ProcessorSettings) {
  return sender.send({
    settings: s,
    req: { event_id: '1', event: { app_id: 'a', topic_id: 't', event_comm: null, data: Buffer.from('x') }, retry_times: 0, repeat_times: 0, pass_back: Buffer.alloc(0) },
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

test('isForbiddenAddress covers loopback, private, link-local, CGNAT, unique-local and mapped IPv4', () => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '[::1]']) {
    assert.equal(isForbiddenAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8', 'example.com']) assert.equal(isForbiddenAddress(ip), false, ip);
});

test('the SSRF guard refuses private targets by literal and by resolved name, without connecting', async (t) => {
  let hits = 0;
  const { port } = await listen(t, (_req, res) => {
    hits++;
    res.end();
  });
  const guarded = new HttpSender({ allowPrivateTargets: false, maxResponseBytes: 1024, connectionsPerOrigin: 4 });
  t.after(() => guarded.close());
  for (const addr of [`127.0.0.1:${port}/hook`, `localhost:${port}/hook`, `http://[::1]:${port}/hook`]) {
    const outcome = await send(guarded, settings(addr));
    assert.equal(outcome.outcome, 'failure', addr);
    assert.equal(outcome.errorCode, TARGET_FORBIDDEN, addr);
    assert.equal(outcome.retriable, false, addr);
  }
  assert.equal(hits, 0);
  const open = new HttpSender({ allowPrivateTargets: true, maxResponseBytes: 1024, connectionsPerOrigin: 4 });
  t.after(() => open.close());
  assert.equal((await send(open, settings(`localhost:${port}/hook`))).outcome, 'success');
  assert.equal(hits, 1);
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
  const sender = new HttpSender({ allowPrivateTargets: true, maxResponseBytes: 2048, connectionsPerOrigin: 1 });
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
