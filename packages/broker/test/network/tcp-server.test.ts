// Connections answer in request order even when a later request finishes first, a request that throws
// closes only its own connection, and close() lets the in-flight request finish.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { TcpServer } from '../../src/network/tcp-server.ts';
import type { FrameHandler } from '../../src/network/connection.ts';

function frame(text: string): Buffer {
  const body = Buffer.from(text);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

async function start(t: TestContext, handler: FrameHandler) {
  const server = new TcpServer({ host: '127.0.0.1', port: 0, handler, maxRequestBytes: 1024 });
  const port = await server.listen();
  t.after(() => server.close(1000));
  return { server, port };
}

function client(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  const frames = () => {
    const out: string[] = [];
    for (let at = 0; at + 4 <= received.length;) {
      const size = received.readInt32BE(at);
      if (at + 4 + size > received.length) break;
      out.push(received.subarray(at + 4, at + 4 + size).toString());
      at += 4 + size;
    }
    return out;
  };
  return { socket, frames, closed };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('responses go out in request order; a null response sends nothing', async (t) => {
  const { port } = await start(t, async (request) => {
    const text = request.toString();
    if (text === 'slow') await new Promise((resolve) => setTimeout(resolve, 50));
    return text === 'silent' ? null : frame(`re:${text}`);
  });
  const c = client(port);
  t.after(() => c.socket.destroy());
  c.socket.write(Buffer.concat([frame('slow'), frame('silent'), frame('fast')]));
  await until(() => c.frames().length === 2);
  assert.deepEqual(c.frames(), ['re:slow', 're:fast']);
});

test('a failing request closes its connection only', async (t) => {
  const { port } = await start(t, async (request) => {
    if (request.toString() === 'boom') throw new Error('handler bug');
    return frame('ok');
  });
  const bad = client(port);
  const good = client(port);
  t.after(() => good.socket.destroy());
  bad.socket.write(frame('boom'));
  await bad.closed;
  good.socket.write(frame('hello'));
  await until(() => good.frames().length === 1);
});

test('close lets the request in flight finish and answers it', async (t) => {
  let release: () => void = () => undefined;
  let started = false;
  const { server, port } = await start(t, async () => {
    started = true;
    await new Promise<void>((resolve) => (release = resolve));
    return frame('done');
  });
  const c = client(port);
  c.socket.write(frame('work'));
  await until(() => started);
  const closing = server.close(5000);
  release();
  await closing;
  await c.closed;
  assert.deepEqual(c.frames(), ['done']);
});
