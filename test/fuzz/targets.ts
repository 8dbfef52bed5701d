// Sends one case to its target and names the outcome. An outcome is acceptable (`ok`) when it is a
// coded error (EvHub ret.code != 0 with a message, a gRPC status, an HTTP 4xx whose body carries the
// code), a clean close, or a success; a timeout, a 5xx, an uncoded 4xx, an unanswered request or a
// success without an event id is a defect.
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { decodeMessage } from '@eventyard/proto';
import type { GrpcCase, HttpCase, KafkaCase } from './cases.ts';
import { lenField, message } from './protobuf-wire.ts';

export interface Outcome {
  outcome: string;
  ok: boolean;
  detail?: string;
  /** Set when the case was acknowledged as an event (Report or Commit with ret.code 0). */
  eventId?: string;
}

export const TIMEOUT_MS = 15_000;
/** socket.request.max.bytes of the broker (its default). */
const BROKER_MAX_FRAME = 100 * 1024 * 1024;

const STATUS_NAMES = new Map<number, string>(
  Object.entries(grpc.status)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
);

type RetRsp = { ret: { code: number; msg: string } | null; event_id?: string; tx?: { event_id: string } | null };

function rawCall(
  client: grpc.Client,
  method: string,
  body: Buffer,
  metadata: Record<string, string>,
): Promise<{ err: grpc.ServiceError | null; rsp: Buffer | undefined }> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/evhub_producer.evhubProducer/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      { deadline: Date.now() + TIMEOUT_MS },
      (err, rsp) => resolve({ err, rsp }),
    );
  });
}

function classifyGrpc(method: string, err: grpc.ServiceError | null, rsp: Buffer | undefined): Outcome {
  if (err !== null) {
    const name = STATUS_NAMES.get(err.code) ?? String(err.code);
    if (err.code === grpc.status.DEADLINE_EXCEEDED) return { outcome: 'timeout', ok: false, detail: err.details };
    // A dropped connection or a handler that threw is not an answer; everything else is a coded status.
    if (err.code === grpc.status.UNKNOWN || (err.code === grpc.status.INTERNAL && /^internal error$/.test(err.details)))
      return { outcome: `grpc:${name}`, ok: false, detail: err.details };
    if (err.code === grpc.status.UNAVAILABLE && /connection|socket|ECONN|No connection/i.test(err.details))
      return { outcome: 'connection-lost', ok: false, detail: err.details };
    if (err.details === '') return { outcome: `grpc:${name}-without-details`, ok: false };
    return { outcome: `grpc:${name}`, ok: true, detail: err.details };
  }
  let decoded: RetRsp;
  try {
    decoded = decodeMessage(`evhub_producer.${method}Rsp` as 'evhub_producer.ReportRsp', rsp ?? Buffer.alloc(0));
  } catch (cause) {
    return { outcome: 'undecodable-reply', ok: false, detail: String(cause) };
  }
  const code = decoded.ret?.code ?? 0;
  if (code !== 0)
    return decoded.ret?.msg ? { outcome: `coded:${code}`, ok: true, detail: decoded.ret.msg } : { outcome: `coded:${code}-without-msg`, ok: false };
  const eventId = method === 'Report' ? decoded.event_id : decoded.tx?.event_id;
  if ((method === 'Report' || method === 'Commit' || method === 'Prepare') && !eventId) return { outcome: 'ok-without-event-id', ok: false };
  return { outcome: 'ok', ok: true, ...(method === 'Report' || method === 'Commit' ? { eventId } : {}) };
}

export async function sendGrpc(client: grpc.Client, c: GrpcCase): Promise<Outcome> {
  if (c.prepareFirst === undefined) {
    const { err, rsp } = await rawCall(client, c.method, c.body, c.metadata);
    return classifyGrpc(c.method, err, rsp);
  }
  const prepared = await rawCall(client, 'Prepare', c.prepareFirst.prepare, {});
  const first = classifyGrpc('Prepare', prepared.err, prepared.rsp);
  if (first.outcome !== 'ok')
    return { ...first, outcome: `prepare:${first.outcome}`, ok: false, detail: `the valid Prepare of a transaction flow was refused: ${first.detail ?? ''}` };
  const eventId = (decodeMessage('evhub_producer.PrepareRsp', prepared.rsp as Buffer) as unknown as RetRsp).tx?.event_id ?? '';
  if (c.prepareFirst.rollbackFirst) {
    const rolled = await rawCall(client, 'Rollback', message(lenField(1, eventId)), {});
    const r = classifyGrpc('Rollback', rolled.err, rolled.rsp);
    if (r.outcome !== 'ok') return { ...r, outcome: `rollback:${r.outcome}`, ok: false };
  }
  const body = message(lenField(1, eventId), c.method === 'Commit' && c.prepareFirst.trigger !== undefined && lenField(2, c.prepareFirst.trigger));
  const { err, rsp } = await rawCall(client, c.method, body, c.metadata);
  return classifyGrpc(c.method, err, rsp);
}

export async function sendHttp(baseUrl: string, c: HttpCase): Promise<Outcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(baseUrl + c.path, { method: c.method, headers: c.headers, body: c.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { outcome: 'timeout', ok: false };
    // The server closed the connection instead of answering: acceptable (a clean close), but counted apart.
    return { outcome: `closed:${e.cause?.code ?? e.name}`, ok: true, detail: e.message };
  }
  let body: { ret?: { code?: unknown; msg?: unknown }; error?: unknown; event_id?: unknown; tx?: { event_id?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const code = typeof body?.ret?.code === 'number' ? body.ret.code : undefined;
  const msg = typeof body?.ret?.msg === 'string' ? body.ret.msg : '';
  const errorCode = typeof body?.error === 'string' ? body.error : undefined;
  if (res.status >= 500) return { outcome: `http-${res.status}${errorCode === undefined ? '' : `:${errorCode}`}`, ok: false, detail: text.slice(0, 300) };
  if (res.status >= 400) {
    // The admin names every error with an EY_* code; the producer's mirror answers EvHub's ret.code.
    const coded =
      c.target === 'admin'
        ? errorCode !== undefined && /^EY_[A-Z0-9_]+$/.test(errorCode) && code !== undefined && code !== 0 && msg !== ''
        : code !== undefined && code !== 0 && msg !== '';
    return coded
      ? { outcome: `http-${res.status}:${errorCode ?? code}`, ok: true, detail: msg }
      : { outcome: `http-${res.status}-uncoded`, ok: false, detail: text.slice(0, 300) };
  }
  if (body === undefined) return { outcome: `http-${res.status}-not-json`, ok: false, detail: text.slice(0, 300) };
  if (c.target === 'admin') return { outcome: 'ok', ok: true };
  if (code !== undefined && code !== 0)
    return msg !== '' ? { outcome: `coded:${code}`, ok: true, detail: msg } : { outcome: `coded:${code}-without-msg`, ok: false };
  if (c.path === '/v1/report') {
    return typeof body.event_id === 'string' && body.event_id !== ''
      ? { outcome: 'ok', ok: true, eventId: body.event_id }
      : { outcome: 'ok-without-event-id', ok: false, detail: text.slice(0, 300) };
  }
  const txId = typeof body.tx?.event_id === 'string' ? body.tx.event_id : '';
  if (c.path === '/v1/commit') return txId !== '' ? { outcome: 'ok', ok: true, eventId: txId } : { outcome: 'ok-without-event-id', ok: false };
  return { outcome: 'ok', ok: true };
}

/** ApiVersions v0 with this correlation id, sent after a complete case to see whether the connection still serves. */
const PROBE_ID = 0x7eadbeef;
const PROBE = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0x7e, 0xad, 0xbe, 0xef, 0xff, 0xff]);

export function sendKafka(port: number, c: KafkaCase): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const answered: number[] = [];
    let buffered = Buffer.alloc(0);
    let settled = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const verdict = (closed: boolean): Outcome => {
      const missing = c.correlationIds.filter((id) => !answered.includes(id));
      if (closed) return { outcome: missing.length === c.correlationIds.length ? 'closed' : 'answered-then-closed', ok: true };
      // The connection still serves (the probe was answered): every complete frame must have been answered, Produce with acks 0 aside.
      if (missing.length === 0) return { outcome: 'answered', ok: true };
      if (c.apiKeys.includes(0)) return { outcome: 'no-answer-produce', ok: true, detail: 'a Produce that decoded as acks=0' };
      return { outcome: 'request-ignored', ok: false, detail: `no answer to correlation ids ${missing.join(',')}, yet the connection served the next request` };
    };
    const timer = setTimeout(
      () => {
        if (c.incomplete) {
          // Still waiting for the rest of the frame: right, unless the declared size was one to refuse at once.
          const declared = c.bytes.length >= 4 ? c.bytes.readInt32BE(0) : 0;
          finish(declared > BROKER_MAX_FRAME ? { outcome: 'oversized-frame-not-closed', ok: false } : { outcome: 'waiting-for-rest', ok: true });
        } else finish({ outcome: 'timeout', ok: false, detail: `answered ${answered.join(',') || 'nothing'}` });
      },
      // An incomplete frame is waited on (300 ms shows it); one whose size must be refused gets the full
      // timeout to be closed (on a loaded machine the broker took over 3 s in one 10,000-case run).
      c.incomplete ? (c.bytes.length >= 4 && c.bytes.readInt32BE(0) > BROKER_MAX_FRAME ? TIMEOUT_MS : 300) : TIMEOUT_MS,
    );
    socket.on('connect', () => {
      socket.write(c.incomplete ? c.bytes : Buffer.concat([c.bytes, PROBE]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const id = buffered.readInt32BE(4);
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
        if (id === PROBE_ID) {
          finish(verdict(false));
          return;
        }
        answered.push(id);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (c.incomplete) {
        const declared = c.bytes.length >= 4 ? c.bytes.readInt32BE(0) : 0;
        finish({ outcome: declared > BROKER_MAX_FRAME || declared < 0 ? 'closed' : 'closed-on-partial-frame', ok: true });
      } else finish(verdict(true));
    });
  });
}

/** A fresh connection still gets ApiVersions answered: the broker serves. */
export async function brokerServes(port: number): Promise<boolean> {
  const outcome = await sendKafka(port, {
    index: -1,
    target: 'kafka',
    generator: 'probe',
    nulFields: [],
    bytes: Buffer.alloc(0),
    incomplete: false,
    correlationIds: [],
    apiKeys: [],
  });
  return outcome.outcome === 'answered';
}
