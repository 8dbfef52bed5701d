// One tree's local stack exactly as `pnpm start` runs it: that tree's `eventyard dev` (its own Node, its
// own supervisor, embedded Postgres and broker, every service a child process), on a random port offset
// and free Postgres and broker ports, with a fresh data dir that is removed afterwards. The bench then
// finds each process of the stack among the supervisor's descendants by its command line.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { descendants } from '../e2e/cpu-time.ts';
import type { TreeInfo } from '../e2e/tree-stack.ts';
import { commandLine, parentOf, type ProcessGroup } from './proc.ts';

/** The admin token the bench gives `eventyard dev` (EY_ADMIN_TOKEN), so it can register a processor. */
export const IDLE_ADMIN_TOKEN = 'idle-bench-admin-token-0123456789';

/**
 * The ports `eventyard dev` moves by --port-offset (packages/cli/src/stack.ts: gRPC, HTTP, admin, health),
 * and the bench's Postgres and broker ports, moved by the same offset.
 */
const PG_PORT = 5433;
const KAFKA_PORT = 9092;
const BASE_PORTS = [9000, 8083, 8081, 9100, 9101, 9102, 9103, 9104, PG_PORT, KAFKA_PORT];

export interface DevStack {
  /** The supervisor, the broker, each service and Postgres (with its forked workers). */
  groups(): ProcessGroup[];
  port(service: string, portName: string): number;
  /** The last lines of the stack's output, for a failure message. */
  logs(): string;
  /** SIGTERM, wait for the supervisor (which waits for its services) to exit, remove the data dir; resolves with the ms from SIGTERM to exit. */
  close(): Promise<number>;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** An offset under which every port `eventyard dev` listens on is free now. */
async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768+), where other processes' outgoing sockets cannot take them meanwhile.
    const offset = 10_000 + Math.floor(Math.random() * 13_000);
    const free = await Promise.all(BASE_PORTS.map((port) => portFree(port + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error("no port offset with all of the stack's ports free");
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

/**
 * What the tree's `pnpm start` runs after `node` (its package.json `start` script, `node <entry> dev`):
 * the entry decides how the stack starts (since the compile cache, packages/cli/bin/eventyard.js), so
 * each tree is measured as its own start command runs it, not through one fixed file.
 */
async function startCommand(root: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (manifest.scripts?.start ?? '').split(/\s+/).filter((word) => word !== '');
  if (words[0] !== 'node' || words.length < 2 || !words.slice(1).every((word) => /^[\w./-]+$/.test(word)))
    throw new Error(`${root}/package.json: the start script "${manifest.scripts?.start ?? ''}" is not "node <entry> <args>"`);
  return [join(root, words[1] ?? ''), ...words.slice(2)];
}

/**
 * Starts `tree`'s `eventyard dev` and resolves once it says the stack is up; tried again on other ports
 * when a port was taken between the bench's check and the stack's listen (the machine is shared).
 */
export async function startDevStack(tree: TreeInfo, userEnv: Record<string, string>): Promise<DevStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(tree, userEnv);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('is in use')) throw err;
    }
  }
}

/** Trees whose compile cache this bench run has filled: once per tree, not before every round. */
const warmed = new Set<string>();

/**
 * Fills the tree's compile cache when it has one (packages/cli/bin/warm-compile-cache.js), as a second
 * `pnpm start` finds it: a cold cache makes each process of that one start load the type stripper.
 */
async function warmCompileCache(tree: TreeInfo, env: Record<string, string>): Promise<void> {
  const script = join(tree.root, 'packages', 'cli', 'bin', 'warm-compile-cache.js');
  if (warmed.has(tree.root) || !existsSync(script)) return;
  await promisify(execFile)(tree.node, [script], { cwd: tree.root, env });
  warmed.add(tree.root);
}

async function startOnce(tree: TreeInfo, userEnv: Record<string, string>): Promise<DevStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `ey-idle-${tree.label}-`));
  // PostgreSQL runs as the `postgres` user when we are root: it must be able to enter the data dir.
  await chmod(dataDir, 0o755);
  const offset = await freeOffset();
  const pgPort = PG_PORT + offset;
  const kafkaPort = KAFKA_PORT + offset;
  const args = [
    ...(await startCommand(tree.root)),
    '--data-dir',
    dataDir,
    '--pg-port',
    String(pgPort),
    '--kafka-port',
    String(kafkaPort),
    '--port-offset',
    String(offset),
    '--log-format',
    'json',
  ];
  const env = { ...baseEnv(), EY_ADMIN_TOKEN: IDLE_ADMIN_TOKEN, ...userEnv };
  await warmCompileCache(tree, env);
  const child: ChildProcess = spawn(tree.node, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let up = false;
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    if (text.includes('eventyard dev is up') || text.includes('eventyard dev is ready')) up = true;
    tail.push(text);
    if (tail.length > 200) tail.shift();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;

  const close = async (): Promise<number> => {
    let stopMs = 0;
    if (child.exitCode === null && child.signalCode === null) {
      const stragglers = descendants(pid);
      const signalled = performance.now();
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        for (const p of stragglers) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
      }, 60_000);
      await exited;
      stopMs = performance.now() - signalled;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
    return stopMs;
  };

  const deadline = Date.now() + 180_000;
  while (!up) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await close();
      throw new Error(`${tree.label}: eventyard dev exited (${child.signalCode ?? `code ${child.exitCode}`}) before the stack was up:\n${tail.join('')}`);
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`${tree.label}: eventyard dev was not up within 180 s:\n${tail.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const groups = (): ProcessGroup[] => {
    const found: ProcessGroup[] = [{ name: 'supervisor (eventyard dev)', pid, withDescendants: false }];
    for (const p of descendants(pid)) {
      if (parentOf(p) !== pid) continue;
      const cmd = commandLine(p);
      if (/(^|\/)postgres( |$)/.test(cmd)) found.push({ name: 'postgres (all its processes)', pid: p, withDescendants: true });
      else if (cmd.includes(' broker ')) found.push({ name: 'broker', pid: p, withDescendants: false });
      else {
        const service = tree.services.find((s) => cmd.includes(s.entry));
        found.push({ name: service?.name ?? cmd.slice(0, 40), pid: p, withDescendants: false });
      }
    }
    return found;
  };
  return {
    groups,
    port: (service, portName) => {
      const base = new Map([
        ['producer/grpc', 9000],
        ['producer/http', 8083],
        ['admin/http', 8081],
      ]).get(`${service}/${portName}`);
      if (base === undefined) throw new Error(`no known port ${service}/${portName}`);
      return base + offset;
    },
    logs: () => tail.join(''),
    close,
  };
}
