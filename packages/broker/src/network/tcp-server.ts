// The broker's listening socket: accepts connections, hands each to a Connection, and on close stops
// accepting, lets every connection finish its in-flight request, then forces what is left.
import { createServer, type Server } from 'node:net';
import type { Logger } from 'pino';
import { Connection, type FrameHandler } from './connection.ts';

export interface TcpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  handler: FrameHandler;
  maxRequestBytes: number;
  logger?: Logger;
  onBytesIn?: (n: number) => void;
  onBytesOut?: (n: number) => void;
  onConnectionCountChange?: (count: number) => void;
}

export class TcpServer {
  readonly #options: TcpServerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #nextId = 1;
  #port = 0;

  constructor(options: TcpServerOptions) {
    this.#options = options;
    this.#server = createServer((socket) => {
      const connection = new Connection({
        id: this.#nextId++,
        socket,
        handler: options.handler,
        maxRequestBytes: options.maxRequestBytes,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.onBytesIn === undefined ? {} : { onBytesIn: options.onBytesIn }),
        ...(options.onBytesOut === undefined ? {} : { onBytesOut: options.onBytesOut }),
      });
      this.#connections.add(connection);
      options.onConnectionCountChange?.(this.#connections.size);
      void connection.closed.then(() => {
        this.#connections.delete(connection);
        options.onConnectionCountChange?.(this.#connections.size);
      });
    });
  }

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<number> {
    const { host, port } = this.#options;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#server.on('error', (err) => this.#options.logger?.error({ err }, 'listener error'));
    return this.#port;
  }

  /** Stops accepting, drains every connection within `graceMs`, then destroys the rest. */
  async close(graceMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const drained = Promise.all([...this.#connections].map((c) => c.drain()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), graceMs);
    });
    if ((await Promise.race([drained, deadline])) === 'deadline') {
      this.#options.logger?.warn({ connections: this.#connections.size }, 'closing connections that did not drain in time');
      for (const c of this.#connections) c.destroy();
      await drained;
    }
    clearTimeout(timer);
    await stopped;
  }
}
