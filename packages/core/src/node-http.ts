// node:http loaded with require() instead of an ESM import. An ESM import of a builtin builds its module
// namespace from every export, and node:http exports lazy getters (WebSocket, CloseEvent, MessageEvent)
// that load Node's bundled undici to answer them: ~750 KB of source, 2.3 MB of heap and ~14 MB of RSS in
// every process that only wanted createServer for its health or metrics port (measured in isolation and
// with bench:idle). require() returns the exports object without touching the getters.
import type * as Http from 'node:http';
import { createRequire } from 'node:module';

/** `node:http`, without the bundled undici an ESM import of it loads. */
export const nodeHttp = createRequire(import.meta.url)('node:http') as typeof Http;

/** Listens on `host`:`port` (0 = any free port) and resolves with the bound port; a listen error (EADDRINUSE) rejects. */
export async function listenOn(server: Http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** How often connections that went idle during a stop are dropped. */
const IDLE_SWEEP_MS = 50;

/**
 * Waits for `closing` (a `server.close()`, or a framework's close over `server`) to settle while the
 * server's connections are dropped as soon as they are idle, and cuts every connection still open after
 * `graceMs`. Node's close() drops only the connections idle at that moment: one whose response was still
 * being written stays open for its keep-alive afterwards (Node has no event for "this connection went
 * idle"), which held a stop for the whole grace period; so they are swept until `closing` settles.
 */
export async function closeWithin(
  server: Pick<Http.Server, 'closeAllConnections' | 'closeIdleConnections'>,
  graceMs: number,
  closing: Promise<unknown>,
): Promise<void> {
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await closing;
  } finally {
    clearTimeout(force);
    clearInterval(sweep);
  }
}
