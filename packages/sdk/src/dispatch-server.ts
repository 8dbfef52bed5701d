// The consumer side of EvHub's contract for TypeScript users: a grpc-js server implementing
// `evhub_processor.evhubProcessor/Dispatch` around one async handler, and the same handler as a node:http
// request listener for `httpSend` webhooks (JSON DispatchReq in, JSON DispatchRsp out, with optional
// Standard Webhooks signature checks). A gRPC delivery from a processor with a webhook secret carries the
// same `webhook-id` / `webhook-timestamp` / `webhook-signature` triple in metadata, signed over the
// DispatchReq's protobuf bytes as received (the server keeps them: DispatchContext.body). Return `{ ret: { code: 0 } }` for success, a non-zero code to
// have the delivery retried, 30000 to cancel it; `pass_back` comes back in the next attempt.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { loadEvhub, type DispatchReq__Output, type DispatchRsp, type Event__Output } from '#proto';

export type { DispatchReq__Output as DispatchRequest, DispatchRsp as DispatchResponse } from '#proto';

/** Where a Dispatch came from: gRPC metadata or HTTP headers, as a plain lower-case record. */
export interface DispatchContext {
  transport: 'grpc' | 'http';
  headers: Record<string, string>;
  /** The request bytes as received (protobuf over gRPC, JSON over HTTP): what `webhook-signature` signs. */
  body: Buffer;
}

/** One secret, or several while a rotation overlap lasts (any one valid signature is enough). */
export type WebhookSecrets = string | readonly string[];

/**
 * Handles one delivery. Throwing answers with an error: over gRPC a status error (the error's numeric
 * gRPC `code` when it has one, else INTERNAL), over HTTP a 500 — both retried by Eventyard.
 */
export type DispatchHandler = (req: DispatchReq__Output, context: DispatchContext) => DispatchRsp | Promise<DispatchRsp>;

export interface DispatchServerOptions {
  /** 0 = any free port (read it back from the result). @default 0 */
  port?: number;
  /** @default '0.0.0.0' */
  host?: string;
  handler: DispatchHandler;
  /** @default grpc.ServerCredentials.createInsecure() */
  credentials?: grpc.ServerCredentials;
  /** Extra grpc-js server options. `grpc.enable_channelz` is 0 unless set here. */
  serverOptions?: grpc.ServerOptions;
  /**
   * The processor's `webhook_secret` (or secrets during a rotation): when set, calls must carry a valid
   * signature in metadata or get UNAUTHENTICATED (retried by Eventyard).
   */
  secret?: WebhookSecrets;
  /** Accepted clock difference for `webhook-timestamp`, seconds. @default 300 */
  toleranceSeconds?: number;
}

export interface DispatchServer {
  readonly port: number;
  readonly server: grpc.Server;
  /** Stops accepting calls; running ones get `graceMs` (default 2000) before being cut. */
  close(graceMs?: number): Promise<void>;
}

const GRPC_INTERNAL = 13;
const GRPC_UNAUTHENTICATED = 16;

/** Starts a gRPC server answering `Dispatch` with `handler`. */
export async function startDispatchServer(options: DispatchServerOptions): Promise<DispatchServer> {
  const { evhubProcessor } = loadEvhub();
  // Channelz (per-call counters and traces for a debugging service nobody here serves) is off unless asked for.
  const server = new grpc.Server({ 'grpc.enable_channelz': 0, ...options.serverOptions });
  // The signature covers the bytes as received, so the deserializer keeps them beside the message.
  const received = new WeakMap<object, Buffer>();
  const method = evhubProcessor.service.Dispatch;
  const service: grpc.ServiceDefinition = {
    Dispatch: {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        const message = method.requestDeserialize(bytes);
        received.set(message, bytes);
        return message;
      },
    },
  };
  server.addService(service, {
    Dispatch: (call: grpc.ServerUnaryCall<DispatchReq__Output, DispatchRsp>, callback: grpc.sendUnaryData<DispatchRsp>) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(call.metadata.getMap())) headers[name] = typeof value === 'string' ? value : value.toString('base64');
      const context: DispatchContext = { transport: 'grpc', headers, body: received.get(call.request) ?? Buffer.alloc(0) };
      if (options.secret !== undefined && !verifyDispatchSignature(options.secret, context, options.toleranceSeconds)) {
        callback({ code: GRPC_UNAUTHENTICATED, details: 'missing or invalid webhook signature' });
        return;
      }
      Promise.resolve()
        .then(() => options.handler(call.request, context))
        .then(
          (rsp) => callback(null, rsp),
          (err: unknown) => callback(toServiceError(err)),
        );
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host ?? '0.0.0.0'}:${options.port ?? 0}`, options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err === null ? resolve(bound) : reject(err),
    );
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    server,
    close(graceMs = 2000): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}

function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const fields = typeof err === 'object' && err !== null ? (err as { code?: unknown; details?: unknown; message?: unknown }) : {};
  const code = typeof fields.code === 'number' && Number.isInteger(fields.code) && fields.code > 0 && fields.code <= 16 ? fields.code : GRPC_INTERNAL;
  const details = typeof fields.details === 'string' ? fields.details : typeof fields.message === 'string' ? fields.message : String(err);
  return { code, details };
}

export interface WebhookHandlerOptions {
  /**
   * The processor's `webhook_secret`: when set, requests must carry a valid Standard Webhooks signature
   * (`webhook-id`, `webhook-timestamp`, `webhook-signature`) or get 401. Several secrets while a
   * rotation overlap lasts.
   */
  secret?: WebhookSecrets;
  /** Accepted clock difference for `webhook-timestamp`, seconds. @default 300 */
  toleranceSeconds?: number;
  /** Larger bodies get 413. @default 16 MiB */
  maxBodyBytes?: number;
}

/**
 * A node:http request listener for `httpSend` deliveries: parses the JSON DispatchReq (EvHub's Go-struct
 * form, as Eventyard sends it, or proto3 JSON), calls `handler`, and answers its DispatchRsp as JSON
 * (`{"ret":{"code","msg"},"pass_back":"<base64>"}`).
 *
 * @example
 * http.createServer(createWebhookHandler(async (req) => ({ ret: { code: 0, msg: 'ok' } }))).listen(8080);
 */
export function createWebhookHandler(handler: DispatchHandler, options: WebhookHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  return (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (req.method !== 'POST') return answer(res, 405, { ret: { code: 10000, msg: 'POST a JSON DispatchReq' } });
      if (tooLarge) return answer(res, 413, { ret: { code: 10000, msg: `body larger than ${maxBodyBytes} bytes` } });
      const body = Buffer.concat(chunks);
      const headers = flatHeaders(req.headers);
      if (options.secret !== undefined && !verifySignature(options.secret, headers, body, options.toleranceSeconds ?? 300)) {
        return answer(res, 401, { ret: { code: 10000, msg: 'missing or invalid webhook signature' } });
      }
      let dispatchReq: DispatchReq__Output;
      try {
        dispatchReq = parseDispatchReq(body);
      } catch (err) {
        return answer(res, 400, { ret: { code: 10000, msg: err instanceof Error ? err.message : String(err) } });
      }
      Promise.resolve()
        .then(() => handler(dispatchReq, { transport: 'http', headers, body }))
        .then(
          (rsp) => answer(res, 200, rspJson(rsp)),
          (err: unknown) => answer(res, 500, { ret: { code: 20005, msg: err instanceof Error ? err.message : String(err) } }),
        );
    });
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function rspJson(rsp: DispatchRsp): Record<string, unknown> {
  const passBack = rsp.pass_back;
  const bytes = passBack === undefined ? Buffer.alloc(0) : typeof passBack === 'string' ? Buffer.from(passBack, 'base64') : Buffer.from(passBack);
  const ret = rsp.ret ?? { code: 0, msg: '' };
  return { ret: { code: ret.code ?? 0, msg: ret.msg ?? '' }, pass_back: bytes.toString('base64') };
}

/**
 * Checks a Standard Webhooks signature: true when any of the space-separated `v1,<sig>` entries (the
 * sender lists several during its rotation overlap) matches any of `secret` (a consumer may hold the old
 * and the new secret during its own switch).
 */
export function verifySignature(secret: WebhookSecrets, headers: Record<string, string>, body: Buffer, toleranceSeconds = 300): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (id === undefined || timestamp === undefined || signatures === undefined || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const given = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version, sig]) => version === 'v1' && sig !== undefined)
    .map(([, sig]) => Buffer.from(sig ?? '', 'base64'));
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return secrets.some((one) => {
    const key = one.startsWith('whsec_') ? Buffer.from(one.slice(6), 'base64') : Buffer.from(one, 'utf8');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
    return given.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  });
}

/**
 * Checks the signature of a delivery as a handler sees it, over either transport: the HTTP headers and
 * JSON body, or the gRPC metadata and the DispatchReq's protobuf bytes as received.
 *
 * @example
 * await startDispatchServer({ handler: (req, context) => {
 *   if (!verifyDispatchSignature(process.env.WEBHOOK_SECRET!, context)) throw Object.assign(new Error('bad signature'), { code: 16 });
 *   return { ret: { code: 0 } };
 * } });
 */
export function verifyDispatchSignature(secret: WebhookSecrets, context: DispatchContext, toleranceSeconds = 300): boolean {
  return verifySignature(secret, context.headers, context.body, toleranceSeconds);
}

type Json = Record<string, unknown>;

/** Reads a JSON DispatchReq in Go-struct form (snake_case, base64) or proto3 form (camelCase). */
export function parseDispatchReq(body: Buffer | string): DispatchReq__Output {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new Error('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('body must be a JSON object');
  const obj = value as Json;
  return {
    event_id: str(pick(obj, 'event_id', 'eventId')),
    event: parseEvent(pick(obj, 'event')),
    retry_times: num(pick(obj, 'retry_times', 'retryTimes')),
    repeat_times: num(pick(obj, 'repeat_times', 'repeatTimes')),
    pass_back: bytes(pick(obj, 'pass_back', 'passBack')),
  };
}

function parseEvent(value: unknown): Event__Output | null {
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Json;
  const comm = pick(event, 'event_comm', 'eventComm') as Json | null | undefined;
  const source = (comm === null || comm === undefined ? undefined : pick(comm, 'event_source', 'eventSource')) as Json | null | undefined;
  const tag = (comm === null || comm === undefined ? undefined : pick(comm, 'event_tag', 'eventTag')) as Json | null | undefined;
  const created = (source === null || source === undefined ? undefined : pick(source, 'create_time', 'createTime')) as Json | string | null | undefined;
  return {
    app_id: str(pick(event, 'app_id', 'appId')),
    topic_id: str(pick(event, 'topic_id', 'topicId')),
    event_comm:
      comm === null || comm === undefined
        ? null
        : {
            event_source:
              source === null || source === undefined ? null : { source: str(source.source), qua: str(source.qua), create_time: timestamp(created) },
            event_tag:
              tag === null || tag === undefined
                ? null
                : { tag_list: (Array.isArray(pick(tag, 'tag_list', 'tagList')) ? (pick(tag, 'tag_list', 'tagList') as unknown[]) : []).map(str) },
          },
    data: bytes(pick(event, 'data')),
  };
}

function timestamp(value: Json | string | null | undefined): { seconds: string; nanos: number } | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isFinite(ms)) return null;
    return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
  }
  return { seconds: String(value.seconds ?? 0), nanos: num(value.nanos) };
}

function pick(obj: Json, ...names: string[]): unknown {
  for (const name of names) if (obj[name] !== undefined) return obj[name];
  return undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function num(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

function bytes(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
}
