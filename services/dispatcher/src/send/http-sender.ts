// `httpSend`: POSTs the JSON DispatchReq to the processor's webhook over one pooled undici Agent
// (keep-alive connections per origin), with the processor's timeout on the whole exchange, Standard
// Webhooks headers, and the egress guard (core's EgressGuard: IP literals checked before the request,
// names through the Agent's `connect.lookup`, which checks every resolved address before connecting, so a
// name re-pointed at an internal address after any earlier check is still refused). The response body is always read to its end (a bounded prefix
// kept, the rest discarded) so the connection goes back to the pool, then classified by outcome/.
// TLS: `https://` webhooks verify against the system CAs as before; a processor with `tls` gets its own
// Agent with its CA and client certificate (mTLS), rebuilt when the files rotate (the old one finishes
// its requests, then closes).
import { ClientTlsStore, isEventyardError, type EgressGuard, type EventyardError } from '@eventyard/core';
import type { Agent } from 'undici';
import { classifyHttpError, classifyHttpResponse, type AttemptOutcome } from '../outcome/index.ts';
import type { AttemptRequest, Sender } from './attempt-request.ts';
import { dispatchReqJson } from './dispatch-json.ts';
import { cloudEventRequest } from '../cloudevents/cloudevent-webhook.ts';
import { webhookUrl } from './target-address.ts';
import { signingSecrets } from '../processors/processor-settings.ts';
import { webhookHeaders } from './webhook-signature.ts';
import { abortWith } from '../limits/abort-hooks.ts';

export interface HttpSenderOptions {
  /** Decides which addresses may be connected to (EY_EGRESS_ALLOW / EY_EGRESS_DENY). */
  egress: EgressGuard;
  /** Most response bytes kept for classification; the rest is read and dropped. */
  maxResponseBytes: number;
  /** Keep-alive connections per origin. */
  connectionsPerOrigin: number;
  /** Reads processors' TLS files. @default a store of its own */
  tls?: ClientTlsStore;
}

const USER_AGENT = 'eventyard-dispatcher/0.1';

export class HttpSender implements Sender {
  /** The Agent of every webhook without its own TLS, made with the first call. */
  #agent: Agent | undefined;
  /** undici's Agent class, imported on the first webhook call: a dispatcher without webhooks never loads undici (~3 MB of heap). */
  #Agent: typeof Agent | undefined;
  readonly #options: HttpSenderOptions;
  readonly #tls: ClientTlsStore;
  /** Agents of processors with `tls`, by dispatcher id, with the TLS version they were made for. */
  readonly #tlsAgents = new Map<string, { key: string; agent: Agent }>();

  constructor(options: HttpSenderOptions) {
    this.#options = options;
    this.#tls = options.tls ?? new ClientTlsStore();
  }

  #newAgent(AgentClass: typeof Agent, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; servername?: string }): Agent {
    return new AgentClass({
      connections: this.#options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connect: { lookup: this.#options.egress.lookup, ...tls },
    });
  }

  /** The shared Agent, or the processor's own when it has `tls` (https only: normalizeProcessor refuses tls on http://). */
  #agentFor(AgentClass: typeof Agent, settings: AttemptRequest['settings'], url: URL): Agent {
    if (settings.tls === null || url.protocol !== 'https:') return (this.#agent ??= this.#newAgent(AgentClass, {}));
    // Throws EY_TLS_FILES_INVALID (not retried) when the files cannot be used.
    const tls = this.#tls.get(settings.tls);
    const current = this.#tlsAgents.get(settings.dispatcherId);
    if (current?.key === tls.key) return current.agent;
    if (current !== undefined) void current.agent.close().catch(() => undefined);
    const { ca, cert, key } = tls.material;
    const agent = this.#newAgent(AgentClass, {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      // The name verified; undici's default is the URL's host.
      ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    });
    this.#tlsAgents.set(settings.dispatcherId, { key: tls.key, agent });
    return agent;
  }

  async send(request: AttemptRequest): Promise<AttemptOutcome> {
    const { settings, req, signal } = request;
    let url: URL;
    let agent: Agent;
    try {
      url = webhookUrl(settings.addr);
      // Sockets connect to an IP literal without a lookup: checked here.
      this.#options.egress.assertHost(url.hostname);
      // The module loader imports undici once, however many calls are waiting for it.
      this.#Agent ??= (await import('undici')).Agent;
      agent = this.#agentFor(this.#Agent, settings, url);
    } catch (err) {
      return classifyHttpError(err);
    }
    // `webhook_format`: EvHub's DispatchReq JSON, or a CloudEvent (its own body and content-type/ce-* headers).
    const cloudEvent =
      settings.webhookFormat === 'evhub'
        ? undefined
        : cloudEventRequest(settings.webhookFormat, { req, time: request.eventTime, traceParent: request.traceParent });
    const body = cloudEvent?.body ?? Buffer.from(dispatchReqJson(req), 'utf8');
    const now = Date.now();
    const headers: Record<string, string> = {
      // A transform's headers first: the dispatcher's own (never settable by a transform) follow.
      ...request.headers,
      ...(cloudEvent?.headers ?? { 'content-type': 'application/json' }),
      'user-agent': USER_AGENT,
      'ey-event-id': req.event_id,
      ...webhookHeaders({ id: request.messageId, body, secrets: signingSecrets(settings, now), nowMs: now }),
    };
    if (settings.authToken !== null) headers.authorization = `Bearer ${settings.authToken}`;
    if (request.traceParent !== '') headers.traceparent = request.traceParent;

    // One controller per call, tied to the consumer's long-lived signal by a hook removed after the call:
    // AbortSignal.any([timeout, signal]) kept every call's signal reachable from that signal (a leak of
    // a few hundred bytes per webhook call for the consumer's life).
    const call = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call.abort(new DOMException('The webhook call timed out', 'TimeoutError'));
    }, settings.timeoutMs);
    const unhook = abortWith(call, signal);
    try {
      const res = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body,
        signal: call.signal,
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
      });
      const responseBody = await readBounded(res.body, this.#options.maxResponseBytes);
      return classifyHttpResponse({ status: res.statusCode, headers: res.headers, body: responseBody });
    } catch (err) {
      return classifyHttpError(ownError(err) ?? err, { timedOut });
    } finally {
      clearTimeout(timer);
      unhook();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#agent?.close(), ...[...this.#tlsAgents.values()].map(({ agent }) => agent.close())]);
    this.#tlsAgents.clear();
  }
}

/** Reads the whole body, keeping the first `max` bytes. */
async function readBounded(body: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < max) kept.push(chunk.subarray(0, max - size));
    size += chunk.length;
  }
  return Buffer.concat(kept);
}

/** Our own refusal (the egress guard's lookup) may arrive wrapped by undici as a cause. */
function ownError(err: unknown): EventyardError | undefined {
  for (let current = err, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (isEventyardError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
