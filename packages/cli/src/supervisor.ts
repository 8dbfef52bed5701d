// Runs the local stack's processes as real child processes (as they run in production: one process per
// service), forwards their output (each line led by the process name, formatted for a terminal when dev
// prints pretty logs), restarts one that dies, and stops them in reverse start order. A process that died
// because its port is taken is not restarted: another restart finds the same port taken, and meanwhile
// the others talk to whatever holds it (a Kafka of the user's own on 9092). The supervisor reports it
// once (onPortInUse) and fails a start() still waiting for that process.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '@eventyard/core';

export interface ProcessSpec {
  name: string;
  /** Arguments after the node executable. */
  args: string[];
  env: Record<string, string>;
  /**
   * TCP ports that all accept connections once the process is ready: a service's health port opens
   * before its API does, so dev waits for both before it says the stack is ready.
   */
  readyPorts?: readonly number[];
}

interface Running {
  spec: ProcessSpec;
  child: ChildProcess;
  restarts: number;
  /** Set when a line of the current child's output said its port is in use (EADDRINUSE), with the port if named. */
  portInUse?: { port: number | undefined } | undefined;
}

/** A child process exited after saying its port is in use. */
export class PortInUseExit extends Error {
  readonly process: string;
  /** Undefined when the child's output named no port. */
  readonly port: number | undefined;

  constructor(process: string, port: number | undefined) {
    super(`${process} exited: port ${port ?? '(unknown)'} is in use`);
    this.name = 'PortInUseExit';
    this.process = process;
    this.port = port;
  }
}

export interface SupervisorOptions {
  /** How a child's output line is printed (the process-name prefix is added after). @default as is */
  formatLine?: (line: string) => string;
  /** Called once, for the first process that exits because its port is in use. */
  onPortInUse?: (exit: PortInUseExit) => void;
}

/**
 * Node's message for a taken port, as a child prints it (an uncaught error, or pino's JSON of it):
 * `listen EADDRINUSE: address already in use 127.0.0.1:9000`; the last colon precedes the port (IPv6 too).
 */
const ADDRESS_IN_USE = /EADDRINUSE: address already in use (?:\S*:)?(\d+)/;

export type SupervisorState = 'running' | 'stopping' | 'stopped';

export class Supervisor {
  #running: Running[] = [];
  #state: SupervisorState = 'running';
  readonly #log: Logger;
  readonly #options: SupervisorOptions;
  #portInUse: PortInUseExit | undefined;
  /** Rejects the start() that is waiting for its process's port, when that process cannot start. */
  #abortWait: ((err: Error) => void) | undefined;

  constructor(logger: Logger, options: SupervisorOptions = {}) {
    this.#log = logger.child({ component: 'supervisor' });
    this.#options = options;
  }

  get state(): SupervisorState {
    return this.#state;
  }

  /** Starts a process and waits for its readyPorts; rejects with PortInUseExit if it exits for a taken port. */
  async start(spec: ProcessSpec): Promise<void> {
    if (this.#portInUse !== undefined) throw this.#portInUse;
    const entry: Running = { spec, child: this.#spawn(spec, (port) => markPortInUse(entry, port)), restarts: 0 };
    this.#running.push(entry);
    this.#watch(entry);
    if (spec.readyPorts === undefined || spec.readyPorts.length === 0) return;
    const aborted = new Promise<never>((_, reject) => (this.#abortWait = reject));
    try {
      await Promise.race([Promise.all(spec.readyPorts.map((port) => waitForPort(port, 30_000, spec.name, aborted))), aborted]);
    } finally {
      this.#abortWait = undefined;
    }
  }

  /** Spawns the process; `addressInUse` hears of each of its output lines saying EADDRINUSE. */
  #spawn(spec: ProcessSpec, addressInUse: (port: number | undefined) => void): ChildProcess {
    const child = spawn(process.execPath, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const format = this.#options.formatLine ?? ((line: string) => line);
    const onLine = (line: string): string => {
      if (line.includes('EADDRINUSE')) {
        const port = ADDRESS_IN_USE.exec(line)?.[1];
        addressInUse(port === undefined ? undefined : Number(port));
      }
      return format(line);
    };
    prefixLines(child.stdout, process.stdout, spec.name, onLine);
    prefixLines(child.stderr, process.stderr, spec.name, onLine);
    this.#log.info({ process: spec.name, pid: child.pid }, 'process started');
    return child;
  }

  #watch(entry: Running): void {
    const { child } = entry;
    // 'close' rather than 'exit': by then the child's output is read whole, its last line (the error) included.
    child.once('close', (code, signal) => {
      if (this.#state !== 'running') return;
      if (entry.portInUse !== undefined) {
        const { port } = entry.portInUse;
        this.#log.error({ process: entry.spec.name, code, signal, port }, 'process exited: its port is in use; not restarting it');
        if (this.#portInUse === undefined) {
          this.#portInUse = new PortInUseExit(entry.spec.name, port);
          this.#abortWait?.(this.#portInUse);
          this.#options.onPortInUse?.(this.#portInUse);
        }
        return;
      }
      entry.restarts += 1;
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(entry.restarts, 6));
      this.#log.error({ process: entry.spec.name, code, signal, restartInMs: delayMs }, 'process exited unexpectedly');
      setTimeout(() => {
        if (this.#state !== 'running') return;
        entry.portInUse = undefined;
        entry.child = this.#spawn(entry.spec, (port) => markPortInUse(entry, port));
        this.#watch(entry);
      }, delayMs).unref();
    });
  }

  /** SIGTERM to each process, newest first, waiting for each to exit (SIGKILL after graceMs). */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'stopping';
    for (const entry of [...this.#running].reverse()) {
      const { child } = entry;
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      this.#log.info({ process: entry.spec.name }, 'process stopped');
    }
    this.#state = 'stopped';
  }
}

/** Node's uncaught error names the port on one line and says `code: 'EADDRINUSE'` on another: keep the port. */
function markPortInUse(entry: Running, port: number | undefined): void {
  entry.portInUse = { port: entry.portInUse?.port ?? port };
}

/** The column of process names before each forwarded line. */
export function processPrefix(name: string): string {
  return `${name.padEnd(16)}| `;
}

/**
 * Copies a child's output line by line, each printed line led by the process name, so interleaved logs
 * stay readable (a formatted line may be several: each gets the prefix).
 */
function prefixLines(from: Readable, to: Writable, name: string, format: (line: string) => string): void {
  const prefix = processPrefix(name);
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => {
    const text = format(line)
      .split('\n')
      .map((part) => `${prefix}${part}`)
      .join('\n');
    to.write(`${text}\n`);
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (stops trying once `until` settles). */
export async function waitForPort(port: number, timeoutMs: number, what: string, until?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stopped = false;
  until?.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  for (;;) {
    if (stopped) return;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not open port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
