// Runs the local stack's processes as real child processes (as they run in production: one process per
// service), forwards their output, restarts one that dies, and stops them in reverse start order.
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
  /** A TCP port that accepts connections once the process is ready. */
  readyPort?: number;
}

interface Running {
  spec: ProcessSpec;
  child: ChildProcess;
  restarts: number;
}

export type SupervisorState = 'running' | 'stopping' | 'stopped';

export class Supervisor {
  #running: Running[] = [];
  #state: SupervisorState = 'running';
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger.child({ component: 'supervisor' });
  }

  get state(): SupervisorState {
    return this.#state;
  }

  async start(spec: ProcessSpec): Promise<void> {
    const entry: Running = { spec, child: this.#spawn(spec), restarts: 0 };
    this.#running.push(entry);
    this.#watch(entry);
    if (spec.readyPort !== undefined) await waitForPort(spec.readyPort, 30_000, spec.name);
  }

  #spawn(spec: ProcessSpec): ChildProcess {
    const child = spawn(process.execPath, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixLines(child.stdout, process.stdout, spec.name);
    prefixLines(child.stderr, process.stderr, spec.name);
    this.#log.info({ process: spec.name, pid: child.pid }, 'process started');
    return child;
  }

  #watch(entry: Running): void {
    entry.child.once('exit', (code, signal) => {
      if (this.#state !== 'running') return;
      entry.restarts += 1;
      const delayMs = Math.min(30_000, 500 * 2 ** Math.min(entry.restarts, 6));
      this.#log.error({ process: entry.spec.name, code, signal, restartInMs: delayMs }, 'process exited unexpectedly');
      setTimeout(() => {
        if (this.#state !== 'running') return;
        entry.child = this.#spawn(entry.spec);
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

/** Copies a child's output line by line, each line led by the process name, so interleaved logs stay readable. */
function prefixLines(from: Readable, to: Writable, name: string): void {
  const prefix = `${name.padEnd(16)}| `;
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${prefix}${line}\n`));
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
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
