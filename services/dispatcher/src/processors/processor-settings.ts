// What the dispatcher needs from a processor row, derived once per config version: retry policy, rate,
// concurrency, timeout, protocol and target. A stored value the domain modules refuse (the admin API
// validates less strictly, or an old row) never stops deliveries: it falls back to a safe default and
// the problem is reported once per version.
import type { ClientTlsFiles } from '@eventyard/core';
import { CIRCUIT_BREAKER_DEFAULTS, circuitBreakerOf, type CircuitBreakerConfig } from '@eventyard/evhub';
import type { ProcessorRecord, ProcessorTls, ProtocolType } from '@eventyard/db';
import type { WebhookFormat } from '@eventyard/evhub';
import { flowControlOf } from '../limits/index.ts';
import { NO_RETRY_POLICY, retryPolicyOf, type RetryPolicy } from '../retry/index.ts';
import { processorTransformOf, type ProcessorTransform } from '../transform/processor-transform.ts';

export interface ProcessorSettings {
  readonly dispatcherId: string;
  readonly version: number;
  readonly protocol: ProtocolType;
  readonly addr: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** Deliveries per second; 0 = unlimited. */
  readonly qps: number;
  readonly retry: RetryPolicy;
  /** Strict per-key order: a failing delivery holds back later ones of its key (retries run in place). */
  readonly ordered: boolean;
  /** Not consuming: EvHub's `is_stop` or our `paused`. Records wait in the delivery topic. */
  readonly halted: boolean;
  readonly webhookSecret: string | null;
  /** The secret before the last rotation, signed with beside the current one until `untilMs`. */
  readonly previousWebhookSecret: { readonly secret: string; readonly untilMs: number } | null;
  readonly authToken: string | null;
  /** The processor's `tls` files; null = plaintext gRPC (webhooks: the URL's scheme decides). */
  readonly tls: ClientTlsFiles | null;
  /** Circuit breaker and auto-pause settings, defaults filled in. */
  readonly breaker: CircuitBreakerConfig;
  /** The compiled `transform` (or why it does not compile: its deliveries then fail with that); null = none. */
  readonly transform: ProcessorTransform | null;
  /** httpSend body: EvHub's DispatchReq JSON or a CloudEvent (binary or structured mode). */
  readonly webhookFormat: WebhookFormat;
  /** Fields whose stored value was refused, with the reason, e.g. `retry_strategy.retry_count: must be at most 1000`. */
  readonly problems: readonly string[];
}

export interface SettingsDefaults {
  timeoutMs: number;
  concurrency: number;
}

export function processorSettings(record: ProcessorRecord, defaults: SettingsDefaults): ProcessorSettings {
  const problems: string[] = [];
  let retry: RetryPolicy = NO_RETRY_POLICY;
  try {
    // A stored null is "not set": retries follow retry_strategy, as EvHub's did (it ignored the flag).
    retry = retryPolicyOf({ retry_strategy: record.retry_strategy, is_retry: record.is_retry ?? undefined });
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  let qps = 0;
  try {
    qps = flowControlOf(record).qps;
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  let breaker = CIRCUIT_BREAKER_DEFAULTS;
  try {
    breaker = circuitBreakerOf(record.circuit_breaker);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  const transform = processorTransformOf(record);
  if (transform?.kind === 'invalid') problems.push(transform.message);
  const timeout = Number(record.timeout);
  const concurrency = Number(record.concurrency);
  return Object.freeze({
    dispatcherId: record.dispatcher_id,
    version: Number(record.version),
    protocol: record.protocol_type,
    addr: record.addr,
    timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : defaults.timeoutMs,
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : defaults.concurrency,
    qps,
    retry,
    ordered: record.ordered === true,
    halted: record.is_stop === true || record.paused === true,
    webhookSecret: nonEmpty(record.webhook_secret),
    previousWebhookSecret: previousSecret(record),
    authToken: nonEmpty(record.auth_token),
    tls: tlsFiles(record.tls),
    breaker,
    transform,
    webhookFormat: record.webhook_format === 'cloudevents_binary' || record.webhook_format === 'cloudevents_structured' ? record.webhook_format : 'evhub',
    problems,
  });
}

function tlsFiles(tls: ProcessorTls | null | undefined): ClientTlsFiles | null {
  if (tls === null || tls === undefined) return null;
  return Object.freeze({ caFile: tls.ca_file, certFile: tls.cert_file, keyFile: tls.key_file, serverName: tls.server_name });
}

function previousSecret(record: ProcessorRecord): ProcessorSettings['previousWebhookSecret'] {
  const secret = nonEmpty(record.webhook_secret_previous);
  const until = record.webhook_secret_previous_expires_at;
  return secret === null || !(until instanceof Date) ? null : Object.freeze({ secret, untilMs: until.getTime() });
}

/**
 * The secrets a delivery is signed with at `nowMs`: the current one, and the previous one while its
 * rotation overlap lasts (checked per delivery: the overlap ends without a config change).
 */
export function signingSecrets(settings: Pick<ProcessorSettings, 'webhookSecret' | 'previousWebhookSecret'>, nowMs: number): string[] {
  if (settings.webhookSecret === null) return [];
  const previous = settings.previousWebhookSecret;
  return previous !== null && previous.untilMs > nowMs ? [settings.webhookSecret, previous.secret] : [settings.webhookSecret];
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
