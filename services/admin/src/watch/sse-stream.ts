// One Server-Sent Events response. Written by hand over the raw response (the framing is three line
// kinds) because the bound on a client's buffer must read the socket's own queue (writableLength): a
// client that does not keep up is dropped with a final `dropped` event instead of growing our memory.
// Keep-alive comments every keepAliveMs carry the stream's position as `id:` (an id-only message
// updates EventSource's lastEventId without dispatching an event), so a quiet filtered stream still
// resumes from near where it was.
import type { ServerResponse } from 'node:http';
import { AdminErrors } from '../error-codes.ts';

export interface SseStreamOptions {
  /** @default 15000 */
  keepAliveMs?: number;
  /** Most bytes waiting for the client before it is dropped (EY_WATCH_CLIENT_BUFFER_BYTES). @default 1 MiB */
  maxBufferedBytes?: number;
  /** The position to send with keep-alives. */
  position?: () => string;
  /** Called once when the stream ends, whoever ended it (client gone, dropped, finished). */
  onClose: () => void;
}

export class SseStream {
  readonly #res: ServerResponse;
  readonly #maxBuffered: number;
  readonly #position: (() => string) | undefined;
  readonly #onClose: () => void;
  readonly #keepAlive: NodeJS.Timeout;
  #closed = false;

  constructor(res: ServerResponse, options: SseStreamOptions) {
    this.#res = res;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#position = options.position;
    this.#onClose = options.onClose;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies that buffer responses (nginx) would hold the events back.
      'x-accel-buffering': 'no',
    });
    // How long an EventSource waits before reconnecting after the stream broke.
    res.write('retry: 2000\n\n');
    res.on('close', () => this.#finish());
    this.#keepAlive = setInterval(() => {
      const position = this.#position?.();
      this.#write(`: keep-alive\n${position === undefined || position === '' ? '' : `id: ${position}\n`}\n`);
    }, options.keepAliveMs ?? 15_000);
    this.#keepAlive.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one event; returns false once the stream is closed (also when this send overflowed it). */
  send(event: string, data: unknown, id?: string): boolean {
    if (this.#closed) return false;
    const json = JSON.stringify(data);
    return this.#write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`);
  }

  /** Sends a last event (if any) and ends the response. */
  end(event?: string, data?: unknown): void {
    if (this.#closed) return;
    if (event !== undefined) this.#res.write(`event: ${event}\ndata: ${JSON.stringify(data ?? {})}\n\n`);
    this.#res.end();
    this.#finish();
  }

  /** Drops a client that cannot keep up, telling it why. */
  dropSlow(): void {
    const reason = `the client read too slowly: more than ${this.#maxBuffered} bytes were waiting (EY_WATCH_CLIENT_BUFFER_BYTES); reconnect with Last-Event-ID to resume`;
    this.end('dropped', { code: AdminErrors.EY_WATCH_CLIENT_TOO_SLOW.code, reason });
    // A client that reads nothing would keep the socket (and what waits in it) forever.
    setTimeout(() => this.#res.destroy(), 5000).unref();
  }

  #write(text: string): boolean {
    if (this.#closed) return false;
    this.#res.write(text);
    if (this.#res.writableLength > this.#maxBuffered) {
      this.dropSlow();
      return false;
    }
    return true;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepAlive);
    this.#onClose();
  }
}
