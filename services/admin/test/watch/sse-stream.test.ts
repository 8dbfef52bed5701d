// The SSE writer over real sockets: events framed with their ids, keep-alive comments carrying the
// position, a client that stops reading dropped with a final `dropped` event (memory stays bounded),
// and a client that goes away ends the stream (its cleanup runs).
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { SseStream, type SseStreamOptions } from '../../src/watch/sse-stream.ts';

async function serve(
  t: TestContext,
  options: Omit<SseStreamOptions, 'onClose'>,
  onStream: (stream: SseStream) => void,
): Promise<{ port: number; closed: Promise<void> }> {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const server: Server = createServer((_req, res) => onStream(new SseStream(res, { ...options, onClose: markClosed })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve()) && server.closeAllConnections()));
  return { port: (server.address() as AddressInfo).port, closed };
}

function open(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path: '/' }, resolve).once('error', reject));
}

async function readAll(res: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString();
  return text;
}

test('events carry their id, keep-alives the position; end() ends the response', async (t) => {
  const { port, closed } = await serve(t, { keepAliveMs: 1000, position: () => '0:7' }, (stream) => {
    stream.send('status', { a: 1 }, '0:5');
    setTimeout(() => stream.end('end', { done: true }), 1500);
  });
  const res = await open(port);
  assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
  const text = await readAll(res);
  assert.match(text, /^retry: 2000\n\nid: 0:5\nevent: status\ndata: \{"a":1\}\n\n/);
  assert.match(text, /: keep-alive\nid: 0:7\n\n/);
  assert.match(text, /event: end\ndata: \{"done":true\}\n\n$/);
  await closed;
});

test('a client that stops reading is dropped with a final event instead of growing the buffer', async (t) => {
  let sent = 0;
  const { port, closed } = await serve(t, { maxBufferedBytes: 64 * 1024 }, (stream) => {
    const line = { pad: 'x'.repeat(1024) };
    // Far more than the socket buffers hold: the bound must trip.
    while (stream.send('status', line, String(sent)) && sent < 1_000_000) sent++;
  });
  const res = await open(port);
  res.pause();
  await closed;
  assert.ok(sent < 1_000_000, 'the stream stopped taking events');
  res.resume();
  const text = await readAll(res);
  assert.match(text, /event: dropped\ndata: \{"code":"EY_WATCH_CLIENT_TOO_SLOW","reason":"the client read too slowly[^\n]*\n\n$/);
});

test('a client that goes away ends the stream and runs its cleanup', async (t) => {
  let stream: SseStream | undefined;
  const { port, closed } = await serve(t, {}, (s) => (stream = s));
  const res = await open(port);
  res.destroy();
  await closed;
  assert.equal(stream?.closed, true);
  assert.equal(stream?.send('status', {}), false);
});
