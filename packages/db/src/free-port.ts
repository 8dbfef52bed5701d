// Picking a port for a server that another process (a child service, Postgres) will bind later.
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where candidates start: clear of the well-known and commonly configured low ports. */
const LOWEST_CANDIDATE = 10_000;
/** Linux's default ephemeral range starts here; used when /proc does not say. */
const DEFAULT_EPHEMERAL_LOW = 32_768;
const MAX_PROBES = 50;

/**
 * A port nothing listens on right now, for a server that will bind it later.
 *
 * Binding port 0 would hand out a port from the kernel's ephemeral range, the same range the kernel
 * draws the local port of every outgoing connection from: between the probe and the real bind, any
 * client on the machine (a health poll, a Kafka or Postgres connection) can be given that port, and the
 * server then fails with EADDRINUSE. So candidates are drawn at random from below the ephemeral range
 * (read from /proc/sys/net/ipv4/ip_local_port_range), which outgoing connections never use, and each is
 * probed on all interfaces, as the services bind. A port can still be taken by another process that
 * binds it on purpose in that window; callers that start a server on it retry on a fresh port.
 */
export async function findFreePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let probe = 0; probe < MAX_PROBES; probe++) {
    const port = LOWEST_CANDIDATE + Math.floor(Math.random() * (high - LOWEST_CANDIDATE + 1));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found in ${MAX_PROBES} tries between ${LOWEST_CANDIDATE} and ${high}`);
}

/** The first port of the kernel's ephemeral range. */
export function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    // A range that starts too low to leave room below it is treated as the default.
    return Number.isInteger(low) && low > LOWEST_CANDIDATE + 1000 ? low : DEFAULT_EPHEMERAL_LOW;
  } catch {
    return DEFAULT_EPHEMERAL_LOW;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
