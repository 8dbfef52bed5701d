// End-to-end fixture: a fresh database (embedded Postgres), the project's broker, and the services
// from packages/cli/src/stack.ts as real child processes on free ports. Services can be killed with
// SIGKILL and restarted; everything is stopped when the test ends. A service may run as several
// instances (`instances`, `addInstance`), each a process with its own ports; methods taking an
// `instance` index default to the first instance (0).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startBroker } from '@eventyard/broker';
import { NODE_FLAGS, SERVICES, REPO_ROOT, type ServiceSpec } from '@eventyard/cli/stack';
import { findFreePort, type Knex } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';

export type ServiceName = ServiceSpec['name'];

/** The services in start order, as in production: consumers first, so nothing waits on a missing group. */
const START_ORDER = ['admin', 'delay-scheduler', 'dispatcher', 'router', 'producer'] as const satisfies readonly ServiceName[];

export interface RunningStack {
  knex: Knex;
  databaseUrl: string;
  kafkaBrokers: string;
  /** Port actually used for a service's named port (e.g. producer grpc). */
  port(service: ServiceName, portName: string, instance?: number): number;
  healthPort(service: ServiceName, instance?: number): number;
  /** SIGKILL a service instance (no graceful shutdown). */
  kill(service: ServiceName, instance?: number): Promise<void>;
  /** SIGTERM a service instance (its graceful shutdown: a consumer leaves its groups) and wait until it exited. */
  stop(service: ServiceName, instance?: number): Promise<void>;
  /** Start a service instance again (after kill or stop) on its ports and wait until it is ready. */
  start(service: ServiceName, instance?: number): Promise<void>;
  /** Start one more instance of a service on fresh ports, wait until it is ready; resolves to its index. */
  addInstance(service: ServiceName): Promise<number>;
  /** How many instances of a service were started (running or not). */
  instances(service: ServiceName): number;
  /** Output of a service instance so far, for failure messages. */
  logs(service: ServiceName, instance?: number): string;
  /** Process id of a running service instance (benchmarks read its CPU time). */
  pid(service: ServiceName, instance?: number): number | undefined;
  /** Process id of the broker when it runs as a process of its own. */
  brokerPid: number | undefined;
  /** SIGKILL the broker and start it again on the same port and data (needs `brokerProcess`). */
  restartBroker(): Promise<void>;
}

export interface StartStackOptions {
  services?: readonly ServiceName[];
  /** Extra env for every service. */
  env?: Record<string, string>;
  /**
   * Run the broker as a process of its own (`eventyard broker`, as `eventyard dev` does) instead of inside
   * the test process, so a benchmark's clients do not share an event loop with it. @default false
   */
  brokerProcess?: boolean;
  /** The broker process's `--flush` policy (see packages/broker/README.md). @default 'always' */
  brokerFlush?: 'always' | 'interval';
  /** Instances of each service started at first (each its own process and ports). @default 1 each */
  instances?: Partial<Record<ServiceName, number>>;
}

/** Only `after` is used, so a benchmark can pass its own cleanup list instead of a test context. */
export type Cleanup = Pick<TestContext, 'after'>;

/**
 * Starts the stack; its teardown (services, then broker, then database) is registered on `t`. Register
 * clients of the stack (consumers, servers) to close before it, i.e. within the test, not in a later
 * `t.after`, which node:test would run after the stack is gone.
 */
export async function startStack(t: Cleanup, options: StartStackOptions = {}): Promise<RunningStack> {
  // node:test runs `after` hooks first-in-first-out, so the database fixture's cleanup is collected here
  // and run last, once the services that use it have stopped.
  const databaseCleanups: Array<() => unknown> = [];
  const { knex, url: databaseUrl } = await createDatabase({ after: (fn: () => unknown) => void databaseCleanups.push(fn) } as unknown as TestContext);
  const dataDir = await mkdtemp(join(tmpdir(), 'ey-e2e-'));
  const broker =
    options.brokerProcess === true
      ? await startBrokerProcess(dataDir, options.brokerFlush ?? 'always')
      : await startBroker({ port: 0, dataDir, groupInitialRebalanceDelayMs: 0 });
  const kafkaBrokers = `127.0.0.1:${broker.port}`;
  const wanted = SERVICES.filter((s) => (options.services ?? SERVICES.map((x) => x.name)).includes(s.name));
  // Ports, processes and output are kept per instance, under `name#index`.
  const ports = new Map<string, number>();
  const instanceKey = (name: ServiceName, instance: number): string => `${name}#${instance}`;
  const counts = new Map<ServiceName, number>();
  const pickPorts = async (service: ServiceSpec, instance: number): Promise<void> => {
    const key = instanceKey(service.name, instance);
    for (const p of service.ports) ports.set(`${key}/${p.name}`, await findFreePort());
    ports.set(`${key}/health`, await findFreePort());
  };
  const children = new Map<string, ChildProcess>();
  const output = new Map<string, string>();

  const envFor = (service: ServiceSpec, instance: number): Record<string, string> => {
    const key = instanceKey(service.name, instance);
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EY_') && k !== 'DATABASE_URL' && k !== 'KAFKA_BROKERS'));
    return {
      ...(base as Record<string, string>),
      EY_DATABASE_URL: databaseUrl,
      EY_KAFKA_BROKERS: kafkaBrokers,
      EY_LOG_LEVEL: process.env.EY_E2E_LOG_LEVEL ?? 'warn',
      EY_HEALTH_PORT: String(ports.get(`${key}/health`)),
      EY_EGRESS_ALLOW: '127.0.0.0/8,::1',
      EY_TOPIC_PARTITIONS: '3',
      // Only the admin reads it; adminCall sends it.
      EY_ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      // The stack's clients report anonymously; tests of ingest auth run the producer on its own.
      EY_REQUIRE_API_KEY: 'false',
      ...Object.fromEntries(service.ports.map((p) => [p.env, String(ports.get(`${key}/${p.name}`))])),
      ...options.env,
    };
  };

  const started = new Set<string>();
  const start = async (name: ServiceName, instance = 0): Promise<void> => {
    const service = wanted.find((s) => s.name === name);
    if (service === undefined) throw new Error(`service ${name} is not part of this stack`);
    const key = instanceKey(name, instance);
    if (!ports.has(`${key}/health`)) {
      if (instance !== (counts.get(name) ?? 0)) throw new Error(`${name} has ${counts.get(name) ?? 0} instance(s): start ${instance} with addInstance`);
      await pickPorts(service, instance);
      counts.set(name, instance + 1);
    }
    // A probed port can still be bound by another test process before the service binds it. On a first
    // start nothing knows the ports yet, so the service gets fresh ones; a restart keeps its ports,
    // because its clients reconnect to them.
    for (let attempt = 1; ; attempt++) {
      try {
        await launch(service, instance);
        started.add(key);
        return;
      } catch (err) {
        if (started.has(key) || attempt === 3 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
        await pickPorts(service, instance);
      }
    }
  };

  const launch = async (service: ServiceSpec, instance: number): Promise<void> => {
    const key = instanceKey(service.name, instance);
    const label = instance === 0 ? service.name : `${service.name} #${instance}`;
    const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO_ROOT, service.entry)], {
      env: envFor(service, instance),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(key, child);
    const append = (chunk: Buffer) => output.set(key, (output.get(key) ?? '') + chunk.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const readyz = `http://127.0.0.1:${ports.get(`${key}/health`)}/readyz`;
    try {
      await waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}:\n${output.get(key) ?? ''}`);
          try {
            return (await fetch(readyz)).status === 200;
          } catch {
            return false;
          }
        },
        60_000,
        `${label} ready`,
      );
    } catch (err) {
      // An exit already says so with the service's whole output.
      if (child.exitCode !== null) throw err;
      // A service that never gets ready (CI once saw a router not ready after 60 s) says which check
      // failed and what it logged, so the failure can be read from CI's output.
      const checks = await fetch(readyz).then(
        (res) => res.text(),
        (fetchErr: unknown) => `no answer (${String(fetchErr)})`,
      );
      throw new Error(`${(err as Error).message}; /readyz: ${checks}; its output:\n${(output.get(key) ?? '').slice(-4000)}`, { cause: err });
    }
  };

  const signal = async (name: ServiceName, instance: number, sig: NodeJS.Signals): Promise<void> => {
    const child = children.get(instanceKey(name, instance));
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(sig);
    await exited;
  };

  t.after(async () => {
    for (const name of [...children.keys()].reverse()) {
      const child = children.get(name);
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
    for (const cleanup of databaseCleanups.reverse()) await cleanup();
  });

  for (const name of START_ORDER) {
    if (!wanted.some((s) => s.name === name)) continue;
    for (let i = 0; i < (options.instances?.[name] ?? 1); i++) await start(name, i);
  }

  return {
    knex,
    databaseUrl,
    kafkaBrokers,
    port: (service, portName, instance = 0) => {
      const port = ports.get(`${instanceKey(service, instance)}/${portName}`);
      if (port === undefined) throw new Error(`no port ${portName} for ${service} #${instance}`);
      return port;
    },
    healthPort: (service, instance = 0) => ports.get(`${instanceKey(service, instance)}/health`) ?? 0,
    kill: (service, instance = 0) => signal(service, instance, 'SIGKILL'),
    stop: (service, instance = 0) => signal(service, instance, 'SIGTERM'),
    start,
    addInstance: async (service) => {
      const instance = counts.get(service) ?? 0;
      await start(service, instance);
      return instance;
    },
    instances: (service) => counts.get(service) ?? 0,
    logs: (service, instance = 0) => output.get(instanceKey(service, instance)) ?? '',
    pid: (service, instance = 0) => children.get(instanceKey(service, instance))?.pid,
    get brokerPid() {
      return 'pid' in broker ? broker.pid : undefined;
    },
    restartBroker: async () => {
      if (!('killAndRestart' in broker)) throw new Error('restartBroker needs startStack(t, { brokerProcess: true })');
      await broker.killAndRestart();
    },
  };
}

interface BrokerProcess {
  port: number;
  readonly pid: number | undefined;
  /** SIGKILL, then the same broker again on the same port and data dir. */
  killAndRestart(): Promise<void>;
  close(): Promise<void>;
}

/** `eventyard broker` as a child process on a free port; close() stops it with SIGTERM. */
async function startBrokerProcess(dataDir: string, flush: 'always' | 'interval'): Promise<BrokerProcess> {
  const port = await findFreePort();
  const args = ['broker', '--port', String(port), '--data-dir', dataDir, '--flush', flush];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'packages/cli/src/main.ts'), ...args], {
      env: { ...process.env, EY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}: ${stderr}`);
        return new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
      },
      30_000,
      'broker listening',
    );
    return child;
  };
  const stop = async (child: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  let child = await launch();
  return {
    port,
    get pid() {
      return child.pid;
    },
    async killAndRestart() {
      await stop(child, 'SIGKILL');
      child = await launch();
    },
    close: () => stop(child, 'SIGTERM'),
  };
}

/** The admin token every e2e stack's admin runs with (the admin refuses to start without one). */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/** A JSON call to the stack's admin API, with the stack's admin token; the reply's status and parsed body. */
export async function adminCall(stack: RunningStack, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${stack.port('admin', 'http')}${path}`, {
    method,
    headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls `condition` until it returns true or the deadline passes. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until every router instance has loaded at least `count` processors (its own gauge). Config reaches the
 * router through NOTIFY, eventually: an event reported before its processor is loaded is routed to no one.
 */
export async function waitForRouterProcessors(stack: RunningStack, count: number): Promise<void> {
  const loaded = async (instance: number): Promise<boolean> => {
    const metrics = await (await fetch(`http://127.0.0.1:${stack.healthPort('router', instance)}/metrics`)).text();
    return Number(/eventyard_router_processors\{[^}]*state="loaded"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0) >= count;
  };
  // Every router instance: each loads the processors itself, and any of them may route the next event.
  const instances = Array.from({ length: Math.max(1, stack.instances('router')) }, (_, i) => i);
  await waitUntil(async () => (await Promise.all(instances.map(loaded))).every(Boolean), 20_000, `the router loaded ${count} processors`);
}
