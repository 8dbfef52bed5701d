// The processes that make up Eventyard, with their commands, ports and environment, in one place.
// `eventyard dev` starts exactly these; the Helm chart and compose file render the same commands, ports
// and variables, and a test compares them with this table so they cannot drift apart.
import { join } from 'node:path';

export interface PortSpec {
  /** Name used for the container port / Service port. */
  name: string;
  /** The variable the service reads its port from. */
  env: string;
  /** Default, also the port in Kubernetes. */
  port: number;
  protocol: 'grpc' | 'http';
}

export interface ServiceSpec {
  name: 'producer' | 'router' | 'dispatcher' | 'delay-scheduler' | 'admin';
  /** Entry file relative to the repository root. */
  entry: string;
  description: string;
  ports: readonly PortSpec[];
  /** Port of /healthz, /readyz and /metrics (EY_HEALTH_PORT). Distinct per service so they share a host in dev. */
  healthPort: number;
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * Node flags every Eventyard process runs with, wherever it runs (`eventyard dev`, the chart, compose,
 * the benches): `node <NODE_FLAGS> <entry>`. A V8 worker pool of one thread instead of Node's four: the
 * pool runs V8's parallel and concurrent garbage collection, and a process given a core or two (a pod's
 * CPU limit, or seven processes on one machine) that lets four helpers compete with its main thread gets
 * long pauses when the helpers it waits for are not scheduled. bench:e2e at 1,000 events/s on 2 cores
 * (`--current-env NODE_OPTIONS=--v8-pool-size=1`, 3 rounds): p99 466 -> 123 ms, CPU per event 0.90x.
 * The kill tests see no difference in re-deliveries beyond their noise: dispatcher-kill, the same tree with and
 * without it alternated 13 times, median 120 against 100 duplicates, higher in 5 pairs and lower in 6
 * (Mann-Whitney p = 0.28); router-kill 53 against 41, 3 and 3. (A first comparison against another
 * tree's worktree had read 6 of 6 higher: the two trees, not the flag; README, fourteenth pass.)
 */
export const NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'producer',
    entry: 'services/producer/src/main.ts',
    description: 'EvHub Report/Prepare/Commit/Rollback over gRPC and the HTTP mirror',
    ports: [
      { name: 'grpc', env: 'EY_GRPC_PORT', port: 9000, protocol: 'grpc' },
      { name: 'http', env: 'EY_HTTP_PORT', port: 8083, protocol: 'http' },
    ],
    healthPort: 9100,
  },
  { name: 'router', entry: 'services/router/src/main.ts', description: 'routes ingested events to processors', ports: [], healthPort: 9101 },
  { name: 'dispatcher', entry: 'services/dispatcher/src/main.ts', description: 'calls processors, retries, dead letters', ports: [], healthPort: 9102 },
  {
    name: 'delay-scheduler',
    entry: 'services/delay-scheduler/src/main.ts',
    description: 'durable timers: delays, repeats, retries, check-backs',
    ports: [],
    healthPort: 9103,
  },
  {
    name: 'admin',
    entry: 'services/admin/src/main.ts',
    description: 'admin and query API',
    ports: [{ name: 'http', env: 'EY_ADMIN_PORT', port: 8081, protocol: 'http' }],
    healthPort: 9104,
  },
];

export interface SharedEnv {
  databaseUrl: string;
  kafkaBrokers: string;
  logLevel: string;
  /** Added to every port, to run a second stack beside the first. @default 0 */
  portOffset?: number;
}

/** The environment every service gets, beside its own ports. */
export function serviceEnv(service: ServiceSpec, shared: SharedEnv): Record<string, string> {
  const offset = shared.portOffset ?? 0;
  return {
    EY_DATABASE_URL: shared.databaseUrl,
    EY_KAFKA_BROKERS: shared.kafkaBrokers,
    EY_LOG_LEVEL: shared.logLevel,
    EY_HEALTH_PORT: String(service.healthPort + offset),
    ...Object.fromEntries(service.ports.map((p) => [p.env, String(p.port + offset)])),
  };
}
