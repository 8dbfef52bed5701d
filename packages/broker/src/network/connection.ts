// One client connection: frames in, requests handled one at a time, responses out in request order.
// Like Kafka (which mutes a channel while its request is in flight) a connection never has two
// requests in processing, so idempotent produce sequences and group calls keep their order. Any
// error from the handler or from framing closes this connection and nothing else.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { FrameDecoder } from './frame-decoder.ts';

export interface ConnectionInfo {
  readonly id: number;
  /** The peer address as Kafka prints it in DescribeGroups: '/127.0.0.1'. */
  readonly clientHost: string;
}

/** Handles one request frame (without its size prefix); resolves the full response frame, or null for none. */
export type FrameHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<Buffer | null>;

export interface ConnectionOptions {
  id: number;
  socket: Socket;
  handler: FrameHandler;
  maxRequestBytes: number;
  logger?: Logger;
  onBytesIn?: (n: number) => void;
  onBytesOut?: (n: number) => void;
}

/** Frames read ahead of processing before the socket stops reading (TCP then pushes back on the client). */
const MAX_QUEUED_FRAMES = 32;

export class Connection implements ConnectionInfo {
  readonly id: number;
  readonly clientHost: string;
  readonly #socket: Socket;
  readonly #handler: FrameHandler;
  readonly #decoder: FrameDecoder;
  readonly #log: Logger | undefined;
  readonly #onBytesOut: ((n: number) => void) | undefined;
  readonly #queue: Buffer[] = [];
  #processing = false;
  #draining = false;
  #closed = false;
  readonly #done: Promise<void>;

  constructor(options: ConnectionOptions) {
    this.id = options.id;
    this.#socket = options.socket;
    this.#handler = options.handler;
    this.#decoder = new FrameDecoder(options.maxRequestBytes);
    this.#log = options.logger;
    this.#onBytesOut = options.onBytesOut;
    this.clientHost = `/${options.socket.remoteAddress ?? 'unknown'}`;
    const socket = options.socket;
    socket.setNoDelay(true);
    // Not events.once: it rejects when 'error' fires first, and a socket error is routine here.
    this.#done = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => {
      this.#closed = true;
      this.#queue.length = 0;
    });
    socket.on('error', (err) => {
      this.#log?.debug({ err, connection: this.id }, 'connection error');
    });
    socket.on('data', (chunk: Buffer) => {
      options.onBytesIn?.(chunk.length);
      this.#onData(chunk);
    });
  }

  /** Resolves once the socket is closed. */
  get closed(): Promise<void> {
    return this.#done;
  }

  /**
   * Graceful close: read no more requests, finish the one in processing (and send its response), then
   * end the socket. Requests read but not started are dropped; the client resends them elsewhere.
   */
  async drain(): Promise<void> {
    if (this.#closed) return;
    this.#draining = true;
    this.#socket.pause();
    this.#queue.length = 0;
    if (!this.#processing) this.#finish();
    await this.#done;
  }

  /** Closes at once (the end of a graceful close's deadline). */
  destroy(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#draining || this.#closed) return;
    let frames: Buffer[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#log?.warn({ err, connection: this.id, clientHost: this.clientHost }, 'closing connection: bad frame');
      this.#socket.destroy();
      return;
    }
    if (frames.length === 0) return;
    this.#queue.push(...frames);
    if (this.#queue.length >= MAX_QUEUED_FRAMES) this.#socket.pause();
    if (!this.#processing) void this.#process();
  }

  async #process(): Promise<void> {
    this.#processing = true;
    try {
      for (let frame = this.#queue.shift(); frame !== undefined && !this.#closed; frame = this.#queue.shift()) {
        if (this.#queue.length < MAX_QUEUED_FRAMES / 2 && !this.#draining && this.#socket.isPaused()) this.#socket.resume();
        let response: Buffer | null;
        try {
          response = await this.#handler(frame, this);
        } catch (err) {
          // Malformed request, unknown api, unsupported version or a handler bug: Kafka closes the connection.
          this.#log?.warn({ err, connection: this.id, clientHost: this.clientHost }, 'closing connection: request failed');
          this.#socket.destroy();
          return;
        }
        if (response !== null && !this.#closed) {
          this.#onBytesOut?.(response.length);
          if (!this.#socket.write(response)) {
            await Promise.race([new Promise((resolve) => this.#socket.once('drain', resolve)), this.#done]);
          }
        }
        if (this.#draining) break;
      }
    } finally {
      this.#processing = false;
      if (this.#draining && !this.#closed) this.#finish();
    }
  }

  /** Ends after the last response is flushed; does not wait for the client to close its side. */
  #finish(): void {
    this.#socket.end(() => this.#socket.destroy());
  }
}
