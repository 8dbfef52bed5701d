// Calls the producing service's transaction check-back: gRPC `evhub_transaction.evhubTransaction/Callback`
// (one grpc-js channel per address, reused across checks), or, when the stored endpoint's protocol_type is
// 5 (HTTP JSON), a POST of EvHub's Go-struct JSON of CallbackReq whose JSON CallbackRsp is read in either
// JSON form the producer's HTTP mirror accepts. Any failure (transport, deadline, status, bad body) throws:
// the checker treats it as "no answer" and backs off.
// Egress guard: every check-back goes through core's EgressGuard, checked after DNS at connect time (gRPC:
// resolved and checked before its channel exists, which dials the checked IPs; HTTP: the Agent's lookup).
// A `trusted` call (the address is one the app's producer config registered) may reach private networks,
// never cloud metadata or EY_EGRESS_DENY; any other address a client put in Prepare must pass the full guard.
// TLS: a registered check-back whose producer config has `tls` is dialled with its CA / client
// certificate (files mounted from Secrets, re-read when they change): gRPC over a TLS channel verified
// against the address's name (not the checked IP it dials), HTTP over an Agent of its own.
// grpc-js and undici are required at the first check-back of their kind (both CommonJS, so synchronously):
// most schedulers never make one, and would otherwise carry both clients in memory for nothing.
import { createRequire } from 'node:module';
import type * as Grpc from '@grpc/grpc-js';
import { checkedGrpcTarget, ClientTlsStore, tlsVerifyName, type CheckOptions, type ClientTls, type ClientTlsFiles, type EgressGuard } from '@eventyard/core';
import { messageFromJson, messageToJson } from '@eventyard/evhub';
import { loadEvhub, ProtocolType, type CallbackReq, type CallbackRsp__Output, type evhubTransactionClient } from '@eventyard/proto';
import type * as Undici from 'undici';
import type { Agent } from 'undici';

const require = createRequire(import.meta.url);
let grpcModule: typeof Grpc | undefined;
let undiciModule: typeof Undici | undefined;
const grpcJs = (): typeof Grpc => (grpcModule ??= require('@grpc/grpc-js') as typeof Grpc);
const undici = (): typeof Undici => (undiciModule ??= require('undici') as typeof Undici);

/** What the producer stores in `transactions.callback` (services/producer StoredCallback). */
export interface CallbackEndpoint {
  protocol_type: number;
  address: string;
  timeout_ms: number;
}

const GRPC_PREFIXES = ['ip://', 'dns://', 'ipv4://', 'ipv6://'] as const;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** Largest JSON answer read from an HTTP check-back. */
const MAX_BODY_BYTES = 1 << 20;

/** grpc-js target of an EvHub address: `ip://10.0.0.5:9001` and `dns:///host:port` → `host:port`. */
export function grpcTarget(address: string): string {
  let target = address.trim();
  const prefix = GRPC_PREFIXES.find((p) => target.toLowerCase().startsWith(p));
  if (prefix !== undefined) target = target.slice(prefix.length);
  target = target.replace(/^\/+/, '');
  if (target === '' || /\s/.test(target)) throw new Error(`check-back address ${JSON.stringify(address)}: expected host:port`);
  return target;
}

/** URL of an HTTP check-back: EvHub's `host:port/path` gets `http://`; explicit http(s) URLs are kept. */
export function httpUrl(address: string): URL {
  const trimmed = address.trim();
  const url = new URL(HAS_SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`check-back address ${JSON.stringify(address)}: scheme ${url.protocol} is not http: or https:`);
  return url;
}

export interface CallOptions extends CheckOptions {
  /** The producer config's `tls` files; null/absent = plaintext gRPC, and the URL's scheme for HTTP. */
  tls?: ClientTlsFiles | null;
}

export class CallbackClient {
  /** Channels by trust and target: a trusted channel is never handed to an untrusted call. */
  readonly #clients = new Map<string, evhubTransactionClient>();
  readonly #egress: EgressGuard;
  /** HTTP check-backs: one Agent whose lookup applies the full guard, one for trusted (registered) addresses; made at the first. */
  #agents: { guarded: Agent; trusted: Agent } | undefined;
  readonly #tls: ClientTlsStore;
  /** HTTP check-backs with `tls`: an Agent per trust and TLS version. */
  readonly #tlsAgents = new Map<string, Agent>();

  constructor(egress: EgressGuard, tls: ClientTlsStore = new ClientTlsStore()) {
    this.#egress = egress;
    this.#tls = tls;
  }

  #plainAgent(options: CheckOptions): Agent {
    const { Agent: AgentClass } = undici();
    this.#agents ??= {
      guarded: new AgentClass({ connect: { lookup: this.#egress.lookupFor() } }),
      trusted: new AgentClass({ connect: { lookup: this.#egress.lookupFor({ trusted: true }) } }),
    };
    return options.trusted === true ? this.#agents.trusted : this.#agents.guarded;
  }

  /**
   * Asks the endpoint; resolves with its answer or throws (transport error, deadline, bad answer, or
   * EY_EGRESS_REFUSED before any connection). `trusted`: the app's producer config registered the address.
   */
  async call(endpoint: CallbackEndpoint, req: CallbackReq, timeoutMs: number, options: CallOptions = {}): Promise<CallbackRsp__Output> {
    // Throws EY_TLS_FILES_INVALID when the files cannot be used: the checker backs off like any failed check.
    const tls = options.tls === undefined || options.tls === null ? null : this.#tls.get(options.tls);
    if (Number(endpoint.protocol_type) === ProtocolType.PROTOCOL_TYPE_HTTP_JSON) return this.#http(endpoint.address, req, timeoutMs, options, tls);
    return this.#grpc(endpoint.address, req, timeoutMs, options, tls);
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
    void this.#agents?.guarded.close();
    void this.#agents?.trusted.close();
    this.#agents = undefined;
    for (const agent of this.#tlsAgents.values()) void agent.close();
    this.#tlsAgents.clear();
  }

  async #grpc(address: string, req: CallbackReq, timeoutMs: number, options: CheckOptions, tls: ClientTls | null): Promise<CallbackRsp__Output> {
    const target = grpcTarget(address);
    const grpc = grpcJs();
    // A rotated file or changed tls makes a new channel (the key changes); the old one is closed.
    const prefix = `${options.trusted === true ? 'trusted' : 'guarded'} ${target}`;
    const key = tls === null ? prefix : `${prefix}\n${tls.key}`;
    let client = this.#clients.get(key);
    if (client === undefined) {
      // Resolved and checked per new channel; the channel dials the checked addresses.
      const dial = await checkedGrpcTarget(this.#egress, target, options);
      const { evhubTransaction } = loadEvhub();
      const name = tls === null ? undefined : tlsVerifyName(dial.host, tls);
      client =
        this.#clients.get(key) ??
        new evhubTransaction(
          dial.target,
          tls === null
            ? grpc.credentials.createInsecure()
            : grpc.credentials.createSsl(tls.material.ca ?? null, tls.material.key ?? null, tls.material.cert ?? null),
          {
            'grpc.default_authority': dial.authority,
            // Channelz keeps per-call counters and traces for a debugging service we do not serve.
            'grpc.enable_channelz': 0,
            // Verified against the name asked for, not the checked IP the channel dials.
            ...(name === undefined ? {} : { 'grpc.ssl_target_name_override': name }),
          },
        );
      for (const [other, stale] of this.#clients) {
        if (other !== key && (other === prefix || other.startsWith(`${prefix}\n`))) {
          this.#clients.delete(other);
          stale.close();
        }
      }
      this.#clients.set(key, client);
    }
    const call = client;
    return new Promise((resolve, reject) => {
      call.Callback(req, { deadline: Date.now() + timeoutMs }, (err, rsp) => {
        if (err !== null && err.code === grpc.status.UNAVAILABLE && this.#clients.get(key) === call) {
          // The next check-back resolves the name again (the service may have moved).
          this.#clients.delete(key);
          call.close();
        }
        if (err !== null) reject(new Error(`gRPC Callback to ${target}: ${err.message}`));
        else if (rsp === undefined) reject(new Error(`gRPC Callback to ${target}: empty answer`));
        else resolve(rsp);
      });
    });
  }

  async #http(address: string, req: CallbackReq, timeoutMs: number, options: CheckOptions, tls: ClientTls | null): Promise<CallbackRsp__Output> {
    const url = httpUrl(address);
    // Sockets connect to an IP literal without a lookup: checked here; names are checked by the Agent's lookup.
    this.#egress.assertHost(url.hostname, options);
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await undici().request(url, {
      dispatcher: tls !== null && url.protocol === 'https:' ? this.#tlsAgent(tls, options) : this.#plainAgent(options),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Go's encoding/json of EvHub's generated CallbackReq: omitempty, as an EvHub peer expects.
      body: JSON.stringify(messageToJson('evhub_transaction.CallbackReq', req)),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.body.destroy();
        throw new Error(`HTTP check-back ${url.href}: answer over ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (response.statusCode < 200 || response.statusCode > 299)
      throw new Error(`HTTP check-back ${url.href}: status ${response.statusCode} ${text.slice(0, 200)}`);
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`HTTP check-back ${url.href}: answer is not JSON: ${text.slice(0, 200)}`);
    }
    return messageFromJson<CallbackRsp__Output>('evhub_transaction.CallbackRsp', json);
  }

  /** The Agent of one trust level and TLS version; an older version's Agent closes once its requests finish. */
  #tlsAgent(tls: ClientTls, options: CheckOptions): Agent {
    const prefix = `${options.trusted === true ? 'trusted' : 'guarded'} ${tls.key.slice(0, tls.key.lastIndexOf('#'))}#`;
    const key = `${options.trusted === true ? 'trusted' : 'guarded'} ${tls.key}`;
    let agent = this.#tlsAgents.get(key);
    if (agent !== undefined) return agent;
    for (const [other, stale] of this.#tlsAgents) {
      if (other.startsWith(prefix)) {
        this.#tlsAgents.delete(other);
        void stale.close();
      }
    }
    const { ca, cert, key: privateKey } = tls.material;
    agent = new (undici().Agent)({
      connect: {
        lookup: this.#egress.lookupFor(options),
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(privateKey === undefined ? {} : { key: privateKey }),
        ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
      },
    });
    this.#tlsAgents.set(key, agent);
    return agent;
  }
}
