// `grpcSend`: calls `/evhub_processor.evhubProcessor/Dispatch` with the processor's timeout as the
// deadline, over one grpc-js client (one channel, reused) per target address. Clients of addresses no
// processor uses any more are closed once idle (retain), all of them at shutdown (close).
// Metadata: `webhook-id` and `webhook-timestamp` (a consumer can deduplicate retries on the id),
// `webhook-signature` when the processor has a webhook secret (Standard Webhooks' HMAC over
// `${id}.${timestamp}.` + the DispatchReq's protobuf bytes exactly as sent: the request is serialized
// here once, signed, and those bytes go on the wire), `authorization: Bearer` when the processor has an
// auth_token, and the Report's `traceparent`.
// Egress guard: a new client resolves the address and checks every IP (core's checkedGrpcTarget) before
// its channel exists, then dials those IPs; a refused address is a non-retriable failure, no connection made.
// A client whose consumer becomes UNAVAILABLE is dropped, so the next attempt resolves the name again.
// TLS: a processor with `tls` gets a TLS channel with its CA / client certificate (files read through a
// ClientTlsStore, so rotated files make a new channel), verified against the name in `addr` (or
// tls.server_name), not the checked IP the channel dials.
import * as grpc from '@grpc/grpc-js';
import { checkedGrpcTarget, ClientTlsStore, tlsVerifyName, type ClientTls, type EgressGuard, type GrpcDial } from '@eventyard/core';
import { loadEvhub, type evhubProcessorClient } from '@eventyard/proto';
import { classifyGrpcError, classifyGrpcResponse, type AttemptOutcome } from '../outcome/index.ts';
import type { AttemptRequest, Sender } from './attempt-request.ts';
import { onAbort } from '../limits/abort-hooks.ts';
import { grpcTarget } from './target-address.ts';
import { signingSecrets } from '../processors/processor-settings.ts';
import { webhookHeaders } from './webhook-signature.ts';

interface ClientEntry {
  client: evhubProcessorClient;
  inFlight: number;
  /** Close once idle: no processor uses the address any more. */
  retired: boolean;
}

export class GrpcSender implements Sender {
  readonly #clients = new Map<string, ClientEntry>();
  /** Clients being created (resolving and checking the address), so concurrent sends share one. */
  readonly #pending = new Map<string, Promise<ClientEntry>>();
  readonly #egress: EgressGuard;
  readonly #channelOptions: grpc.ChannelOptions;
  readonly #tls: ClientTlsStore;
  #closed = false;

  constructor(egress: EgressGuard, channelOptions: grpc.ChannelOptions = {}, tls: ClientTlsStore = new ClientTlsStore()) {
    this.#egress = egress;
    this.#tls = tls;
    this.#channelOptions = {
      // Unanswered keepalive pings reveal a dead consumer host before the next Dispatch's deadline.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      // Retries are the retry_strategy's, recorded as attempts; grpc-js's own (transparent) retry layer
      // would only add about a quarter of a call's CPU (measured: 290 → 213 µs per echo, both sides).
      'grpc.enable_retries': 0,
      // Channelz keeps per-call counters and traces for a debugging service we do not serve: pure CPU per call.
      'grpc.enable_channelz': 0,
      ...channelOptions,
    };
  }

  /** Clients open, for tests and metrics. */
  get clients(): number {
    return this.#clients.size;
  }

  async send(request: AttemptRequest): Promise<AttemptOutcome> {
    const { settings, req, signal } = request;
    let entry: ClientEntry;
    let key: string;
    try {
      const target = grpcTarget(settings.addr);
      // Throws EY_TLS_FILES_INVALID (not retried) when the processor's files cannot be used.
      const tls = settings.tls === null ? null : this.#tls.get(settings.tls);
      entry = await this.#client(target, tls);
      key = clientKey(target, tls);
    } catch (err) {
      return classifyGrpcError(err);
    }
    const dispatch = loadEvhub().evhubProcessor.service.Dispatch;
    const body = dispatch.requestSerialize(req);
    const metadata = new grpc.Metadata();
    const now = Date.now();
    for (const [name, value] of Object.entries(webhookHeaders({ id: request.messageId, body, secrets: signingSecrets(settings, now), nowMs: now })))
      metadata.set(name, value);
    if (settings.authToken !== null) metadata.set('authorization', `Bearer ${settings.authToken}`);
    if (request.traceParent !== '') metadata.set('traceparent', request.traceParent);
    entry.inFlight++;
    return new Promise<AttemptOutcome>((resolve) => {
      let unhook: (() => void) | undefined;
      // The bytes signed are the bytes sent: an identity serializer over the encoded request.
      const call = withoutCallerStack(() =>
        entry.client.makeUnaryRequest(
          dispatch.path,
          (bytes: Buffer) => bytes,
          dispatch.responseDeserialize,
          body,
          metadata,
          { deadline: now + settings.timeoutMs },
          (err, rsp) => {
            unhook?.();
            entry.inFlight--;
            if (err?.code === grpc.status.UNAVAILABLE) this.#retire(key, entry);
            if (entry.retired && entry.inFlight === 0) entry.client.close();
            resolve(err === null ? classifyGrpcResponse(rsp) : classifyGrpcError(err));
          },
        ),
      );
      if (signal.aborted) call.cancel();
      else unhook = onAbort(signal, () => call.cancel());
    });
  }

  /** Retires the clients of addresses not in `addrs` (processor addrs); each closes once its calls finish. */
  retain(addrs: Iterable<string>): void {
    const keep = new Set<string>();
    for (const addr of addrs) {
      try {
        keep.add(grpcTarget(addr));
      } catch {
        // An undiallable address has no client.
      }
    }
    for (const [key, entry] of this.#clients) {
      const target = key.split('\n')[0] ?? key;
      if (keep.has(target)) continue;
      this.#retire(key, entry);
      if (entry.inFlight === 0) entry.client.close();
    }
  }

  #retire(key: string, entry: ClientEntry): void {
    if (this.#clients.get(key) === entry) this.#clients.delete(key);
    entry.retired = true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#clients.values()) entry.client.close();
    this.#clients.clear();
    await Promise.resolve();
  }

  #client(target: string, tls: ClientTls | null): Promise<ClientEntry> {
    const key = clientKey(target, tls);
    const entry = this.#clients.get(key);
    if (entry !== undefined) return Promise.resolve(entry);
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#create(target, tls).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #create(target: string, tls: ClientTls | null): Promise<ClientEntry> {
    if (this.#closed) throw new Error('gRPC sender closed');
    const dial = await checkedGrpcTarget(this.#egress, target);
    if (this.#closed) throw new Error('gRPC sender closed');
    const { evhubProcessor } = loadEvhub();
    const options = { ...this.#channelOptions, 'grpc.default_authority': dial.authority, ...tlsChannelOptions(dial, tls) };
    const entry = { client: new evhubProcessor(dial.target, channelCredentials(tls), options), inFlight: 0, retired: false };
    // Channels of the same target with other TLS settings (rotated files, changed config) take no new calls.
    for (const [key, other] of this.#clients) {
      if (!key.startsWith(`${target}\n`) && key !== target) continue;
      this.#retire(key, other);
      if (other.inFlight === 0) other.client.close();
    }
    this.#clients.set(clientKey(target, tls), entry);
    return entry;
  }
}

/**
 * Runs `fn` (a grpc-js call start) with V8's stack capture off. grpc-js's `makeUnaryRequest` builds a
 * `new Error()` on every call only to append the caller's stack to a failed call's error; no option or
 * public lower-level path skips it, and the capture cost about a tenth of the client side of a Dispatch
 * call (bench/micro/grpc-dispatch-call.ts: 98.9 → 89.7 µs CPU per call). Our failures are classified by
 * status code (classifyGrpcError), never by stack, so the stack is not missed. The limit is restored
 * before anything else runs: `fn` is synchronous.
 */
function withoutCallerStack<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** One channel per target and TLS version: a rotated file or a changed `tls` makes a new channel. */
function clientKey(target: string, tls: ClientTls | null): string {
  return tls === null ? target : `${target}\n${tls.key}`;
}

/** Plaintext, or TLS with the processor's CA (system CAs when none) and client certificate. */
export function channelCredentials(tls: ClientTls | null): grpc.ChannelCredentials {
  if (tls === null) return grpc.credentials.createInsecure();
  const { ca, cert, key } = tls.material;
  return grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}

/**
 * The channel dials checked IP literals (egress guard), so without an override grpc-js would verify the
 * certificate against the IP: the name asked for (or tls.server_name) is what it must carry. An IP
 * literal in `addr` needs none (and SNI cannot carry one).
 */
export function tlsChannelOptions(dial: GrpcDial, tls: ClientTls | null): grpc.ChannelOptions {
  if (tls === null) return {};
  const name = tlsVerifyName(dial.host, tls);
  return name === undefined ? {} : { 'grpc.ssl_target_name_override': name };
}
