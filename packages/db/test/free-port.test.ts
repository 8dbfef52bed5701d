import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { ephemeralLow, findFreePort } from '../src/free-port.ts';

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

test('findFreePort gives a port below the ephemeral range that a server can then bind on all interfaces', async () => {
  const low = ephemeralLow();
  assert.ok(low > 11_000, `ephemeral range starts at ${low}`);
  for (let i = 0; i < 20; i++) {
    const port = await findFreePort();
    assert.ok(port >= 10_000 && port < low, `port ${port} is outside [10000, ${low})`);
    const server = await listen(port, '0.0.0.0');
    await new Promise((resolve) => server.close(resolve));
  }
});

test('outgoing connections never take a port findFreePort can return', async (t) => {
  // The kernel gives each outgoing connection a local port from the ephemeral range: open a batch of
  // them and check that none got a port findFreePort could have handed out.
  const server = await listen(0, '127.0.0.1');
  t.after(() => new Promise((resolve) => server.close(resolve)));
  server.on('connection', (socket) => socket.on('error', () => {}));
  const { port } = server.address() as net.AddressInfo;
  const sockets = await Promise.all(
    Array.from(
      { length: 50 },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  try {
    for (const socket of sockets) assert.ok((socket.localPort ?? 0) >= ephemeralLow(), `outgoing local port ${socket.localPort}`);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});
