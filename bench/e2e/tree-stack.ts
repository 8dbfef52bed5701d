// The whole stack of one source tree (this checkout or a baseline worktree) as real processes: that
// tree's broker (`eventyard broker`), its migrations (`eventyard migrate latest`) on a fresh database, and
// its services (the SERVICES table of its packages/cli/src/stack.ts), all run by that tree's own Node with
// that tree's NODE_FLAGS (none in trees before them) on fresh ports and data dirs. The bench drives every tree the same way, so two trees compare like for like.
//
// An older tree may lack settings a newer one needs (EY_ADMIN_TOKEN, EY_EGRESS_ALLOW, ...): a setting is
// given to a tree only when its sources name the variable, and what was left out is reported.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { findFreePort } from '@eventyard/db';
import { createDatabase } from '@eventyard/db/testing';
import type { TestContext } from 'node:test';
import { waitUntil } from '../../test/e2e/stack.ts';

const run = promisify(execFile);

/** The admin token each tree's admin gets when it knows EY_ADMIN_TOKEN (newer admins refuse to start without one). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';

interface ServiceSpec {
  name: string;
  entry: string;
  ports: ReadonlyArray<{ name: string; env: string }>;
}

/** A tree's facts the bench needs before starting it: its Node binary, services and the settings it knows. */
export interface TreeInfo {
  /** Label in the output: `current` or `baseline`. */
  label: string;
  root: string;
  /** The Node binary the tree's node_modules/.bin/node runs (spawned directly: the .bin shim is a shell whose pid is not Node's). */
  node: string;
  services: readonly ServiceSpec[];
  /** The Node flags the tree runs its processes with (its stack.ts NODE_FLAGS; none in trees before it). */
  nodeFlags: readonly string[];
  /** Service settings this tree gets (beside ports, database and broker). */
  env: Record<string, string>;
  /** Set when the tree's admin knows EY_ADMIN_TOKEN: admin calls carry it. */
  adminToken: string | undefined;
  /** One line per difference found (a setting left out, the fallback used), for the output's header. */
  notes: string[];
}

/** Which of `names` the tracked sources of the tree's packages and services mention. */
async function namedInSources(root: string, names: readonly string[]): Promise<Set<string>> {
  try {
    const args = ['-C', root, 'grep', '-h', '-o', '-w', '-F', ...names.flatMap((n) => ['-e', n]), '--', 'packages/*/src/*', 'services/*/src/*'];
    const { stdout } = await run('git', args, { maxBuffer: 16 * 1024 * 1024 });
    return new Set(stdout.split('\n').filter((line) => line !== ''));
  } catch (err) {
    // git grep exits 1 when nothing matched.
    if ((err as { code?: number }).code === 1) return new Set();
    throw err;
  }
}

/**
 * Reads what the bench needs to know about the tree at `root`: its Node, its services table, and which
 * of the bench's settings (and the user's `--env` ones) its sources know.
 */
export async function inspectTree(label: string, root: string, userEnv: Record<string, string>): Promise<TreeInfo> {
  const shim = join(root, 'node_modules', '.bin', 'node');
  let node: string;
  try {
    node = (await run(shim, ['-p', 'process.execPath'])).stdout.trim();
  } catch (err) {
    throw new Error(`${label} tree ${root}: ${shim} does not run (dependencies not installed?): ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const stackModule = pathToFileURL(join(root, 'packages', 'cli', 'src', 'stack.ts')).href;
  const { stdout } = await run(node, [
    '--input-type=module',
    '-e',
    'const m = await import(process.argv[1]); console.log(JSON.stringify({ services: m.SERVICES, nodeFlags: m.NODE_FLAGS ?? [] }));',
    stackModule,
  ]);
  const table = JSON.parse(stdout) as { services: ServiceSpec[]; nodeFlags: string[] };
  const services = table.services.map(({ name, entry, ports }) => ({
    name,
    entry,
    ports: ports.map(({ name: n, env }) => ({ name: n, env })),
  }));

  const wanted: Record<string, string> = {
    EY_TOPIC_PARTITIONS: '3',
    // The bench's Dispatch server is on loopback, which egress guards refuse by default.
    EY_EGRESS_ALLOW: '127.0.0.0/8,::1',
    EY_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    // The bench's client reports anonymously, as EvHub clients do (newer producers require a key by default).
    EY_REQUIRE_API_KEY: 'false',
    // One broker: one copy, said so the durability check stays quiet in both trees' logs.
    EY_KAFKA_REPLICATION_FACTOR: '1',
    EY_KAFKA_MIN_INSYNC_REPLICAS: '1',
  };
  const known = await namedInSources(root, [...Object.keys(wanted), 'EY_ALLOW_PRIVATE_TARGETS', ...Object.keys(userEnv)]);
  const env: Record<string, string> = {};
  const notes: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    if (known.has(name)) env[name] = value;
    else notes.push(`${label}: its sources do not name ${name}, not set`);
  }
  if (!known.has('EY_EGRESS_ALLOW') && known.has('EY_ALLOW_PRIVATE_TARGETS')) {
    // Before EY_EGRESS_ALLOW, this switch was how private targets were allowed.
    env.EY_ALLOW_PRIVATE_TARGETS = 'true';
    notes.push(`${label}: EY_ALLOW_PRIVATE_TARGETS=true instead`);
  }
  for (const [name, value] of Object.entries(userEnv)) {
    env[name] = value;
    if (!known.has(name)) notes.push(`${label}: --env ${name} is set but its sources do not name it (no effect?)`);
  }
  return { label, root, node, services, nodeFlags: table.nodeFlags, env, adminToken: env.EY_ADMIN_TOKEN, notes };
}

export interface TreeStack {
  kafkaBrokers: string;
  port(service: string, portName: string): number;
  /** Process id of each running service, by name. */
  pids(): Map<string, number>;
  /** The health/metrics port of a service (`/metrics`). */
  healthPort(service: string): number | undefined;
  brokerPid: number | undefined;
  /** The broker's Prometheus port (`eventyard_broker_requests_total{api}`: Kafka requests by API). */
  brokerMetricsPort: number;
  /** The last output of each service, for a failure message. */
  logs(): string;
  /** Stops services, broker and database, removes the data dir. */
  close(): Promise<void>;
}

/** Every child any tree stack started, killed outright if the bench exits without closing its stacks. */
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `node args` to completion; its output in the error when it fails. */
async function runToEnd(node: string, args: readonly string[], env: Record<string, string>, what: string): Promise<void> {
  try {
    await run(node, [...args], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${what} failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim() || String(err)}`, { cause: err });
  }
}

/** The process environment without any Eventyard setting of the caller's shell. */
function baseEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith('EY_') && entry[0] !== 'DATABASE_URL' && entry[0] !== 'KAFKA_BROKERS',
    ),
  );
}

export interface StartTreeOptions {
  brokerFlush: 'always' | 'interval';
  /**
   * When set, every service and the broker run with `--cpu-prof --cpu-prof-dir <dir>/<service or broker>`: V8 writes the profile
   * when the service exits (the stack's close() stops services with SIGTERM, a clean exit).
   */
  cpuProfDir?: string;
}

/** Starts `tree`'s broker, migrates a fresh database with its migrations, and starts its services. */
export async function startTreeStack(tree: TreeInfo, options: StartTreeOptions): Promise<TreeStack> {
  const { brokerFlush } = options;
  const cleanups: Array<() => unknown> = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const { url: databaseUrl } = await createDatabase({ after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext, {
      migrate: false,
      poolMax: 1,
    });
    const dataDir = await mkdtemp(join(tmpdir(), `ey-bench-${tree.label}-`));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const cli = join(tree.root, 'packages', 'cli', 'src', 'main.ts');

    const brokerPort = await findFreePort();
    const brokerMetricsPort = await findFreePort();
    const brokerProfile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfDir, 'broker')];
    const broker = track(
      spawn(
        tree.node,
        [
          ...tree.nodeFlags,
          ...brokerProfile,
          cli,
          'broker',
          '--port',
          String(brokerPort),
          '--data-dir',
          dataDir,
          '--flush',
          brokerFlush,
          '--metrics-port',
          String(brokerMetricsPort),
        ],
        {
          env: { ...baseEnv(), EY_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      ),
    );
    cleanups.push(() => stop(broker));
    let brokerErr = '';
    broker.stderr?.on('data', (chunk: Buffer) => (brokerErr += chunk.toString()));
    await waitUntil(
      async () => {
        if (broker.exitCode !== null) throw new Error(`${tree.label} broker exited with ${broker.exitCode}: ${brokerErr}`);
        return new Promise<boolean>((resolve) => {
          const socket = connect(brokerPort, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
      },
      30_000,
      `${tree.label} broker listening`,
    );
    const kafkaBrokers = `127.0.0.1:${brokerPort}`;

    const shared = {
      ...baseEnv(),
      EY_DATABASE_URL: databaseUrl,
      EY_KAFKA_BROKERS: kafkaBrokers,
      EY_LOG_LEVEL: process.env.EY_E2E_LOG_LEVEL ?? 'warn',
      ...tree.env,
    };
    await runToEnd(tree.node, [cli, 'migrate', 'latest'], shared, `${tree.label}: eventyard migrate latest`);

    const ports = new Map<string, number>();
    const healthPorts = new Map<string, number>();
    const children = new Map<string, ChildProcess>();
    const outputs = new Map<string, string>();
    // Start order as in production: consumers first, so nothing waits on a missing group.
    const order = ['admin', 'delay-scheduler', 'dispatcher', 'router', 'producer'];
    const services = [...tree.services].sort((a, b) => (order.indexOf(a.name) >>> 0) - (order.indexOf(b.name) >>> 0));
    for (const service of services) {
      const env: Record<string, string> = { ...shared };
      for (const p of service.ports) ports.set(`${service.name}/${p.name}`, await findFreePort());
      const healthPort = await findFreePort();
      env.EY_HEALTH_PORT = String(healthPort);
      healthPorts.set(service.name, healthPort);
      for (const p of service.ports) env[p.env] = String(ports.get(`${service.name}/${p.name}`));
      const profile = options.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfDir, service.name)];
      const child = track(spawn(tree.node, [...tree.nodeFlags, ...profile, join(tree.root, service.entry)], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
      children.set(service.name, child);
      cleanups.push(() => stop(child));
      // The tail is enough for a failure message; a service logging warnings all run must not fill memory.
      const append = (chunk: Buffer) => outputs.set(service.name, `${outputs.get(service.name) ?? ''}${chunk.toString()}`.slice(-8192));
      child.stdout?.on('data', append);
      child.stderr?.on('data', append);
      await waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`${tree.label} ${service.name} exited with ${child.exitCode}:\n${outputs.get(service.name) ?? ''}`);
          try {
            return (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200;
          } catch {
            return false;
          }
        },
        60_000,
        `${tree.label} ${service.name} ready`,
      );
    }

    return {
      kafkaBrokers,
      port: (service, portName) => {
        const port = ports.get(`${service}/${portName}`);
        if (port === undefined) throw new Error(`${tree.label}: no port ${portName} for ${service}`);
        return port;
      },
      pids: () => new Map([...children].flatMap(([name, child]) => (child.pid === undefined ? [] : [[name, child.pid] as const]))),
      healthPort: (service) => healthPorts.get(service),
      brokerPid: broker.pid,
      brokerMetricsPort,
      logs: () => [`broker: ${brokerErr.slice(-4096)}`, ...[...outputs].map(([name, text]) => `${name}: ${text}`)].join('\n'),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
