// Every port `eventyard dev` listens on, what wants it and the flag that moves it; checked all at once
// before anything starts. A taken port used to surface late and badly: the broker restarted forever on
// EADDRINUSE while the services talked to whatever held 9092 (a Kafka of the user's own).
import { createServer } from 'node:net';
import { EventyardError } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';
import { SERVICES } from './stack.ts';

export interface DevPort {
  port: number;
  /** What wants it, as the one-line message says it: "broker", "producer gRPC", "admin health". */
  what: string;
  /** The flag that moves it. */
  flag: '--pg-port' | '--kafka-port' | '--port-offset';
}

/** How the banner and the messages call a service's port. */
const PORT_LABELS: Record<string, string> = { 'producer grpc': 'producer gRPC', 'producer http': 'producer HTTP mirror', 'admin http': 'admin API' };

export function portLabel(service: string, portName: string): string {
  return PORT_LABELS[`${service} ${portName}`] ?? `${service} ${portName}`;
}

/** The stack's ports: Postgres and the broker only when dev runs them (no EY_DATABASE_URL / EY_KAFKA_BROKERS). */
export function devPorts(options: { pgPort?: number | undefined; kafkaPort?: number | undefined; portOffset: number }): DevPort[] {
  const ports: DevPort[] = [];
  if (options.pgPort !== undefined) ports.push({ port: options.pgPort, what: 'postgres', flag: '--pg-port' });
  if (options.kafkaPort !== undefined) ports.push({ port: options.kafkaPort, what: 'broker', flag: '--kafka-port' });
  for (const service of SERVICES) {
    for (const p of service.ports) ports.push({ port: p.port + options.portOffset, what: portLabel(service.name, p.name), flag: '--port-offset' });
    ports.push({ port: service.healthPort + options.portOffset, what: `${service.name} health`, flag: '--port-offset' });
  }
  return ports;
}

/** The one line for a port that is taken: "eventyard dev: port 9092 (broker) is in use; move it with --kafka-port or free it". */
export function portInUseError(port: number, what: string, flag: string): EventyardError {
  return new EventyardError(CliErrors.EY_CLI_PORT_IN_USE, `eventyard dev: port ${port} (${what}) is in use; move it with ${flag} or free it`);
}

/**
 * Binds each port on `host` (the interface dev's listeners will bind) and lets it go again: the first
 * that cannot be bound is refused with one line. Two of the stack's own ports landing on the same number
 * (--kafka-port 9000) are refused too.
 */
export async function checkPortsFree(host: string, ports: readonly DevPort[]): Promise<void> {
  const seen = new Map<number, DevPort>();
  for (const wanted of ports) {
    const other = seen.get(wanted.port);
    if (other !== undefined) {
      throw new EventyardError(
        CliErrors.EY_CLI_PORT_IN_USE,
        `eventyard dev: port ${wanted.port} is wanted by both ${other.what} and ${wanted.what}; move one with ${wanted.flag === other.flag ? wanted.flag : `${other.flag} or ${wanted.flag}`}`,
      );
    }
    seen.set(wanted.port, wanted);
  }
  for (const wanted of ports) {
    const code = await bindProbe(host, wanted.port);
    if (code === undefined) continue;
    if (code === 'EADDRINUSE') throw portInUseError(wanted.port, wanted.what, wanted.flag);
    throw new EventyardError(
      CliErrors.EY_CLI_PORT_IN_USE,
      `eventyard dev: port ${wanted.port} (${wanted.what}) cannot be bound on ${host} (${code}); move it with ${wanted.flag} or pick another --host`,
    );
  }
}

/** Undefined when host:port could be bound (and was released), else the socket error's code. */
function bindProbe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    // exclusive: the probe must not share a handle with a cluster worker; it is released at once.
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
