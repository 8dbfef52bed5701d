// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id` (the same for every retry of
// a message), `webhook-timestamp` (Unix seconds) and `webhook-signature` = `v1,` + base64 of
// HMAC-SHA256(key, `${id}.${timestamp}.${body}`). A secret written `whsec_<base64>` (the spec's form)
// keys with the decoded bytes; any other secret (stored before secrets were checked) keys with its UTF-8
// bytes. During a rotation overlap the header carries one signature per secret, space-separated, as the
// specification allows: a consumer holding either secret accepts the delivery. gRPC deliveries carry the
// same three values as metadata, signing the protobuf bytes of the DispatchReq (grpc-sender.ts).
import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a processor's `webhook_secret`. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX) ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64 signature>` of one delivery. */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  const mac = createHmac('sha256', webhookKey(secret));
  mac.update(`${id}.${timestampSeconds}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/**
 * The message id of a delivery: stable across its retries (consumers deduplicate on it) and distinct
 * per repeat occurrence, which is a new message. Standard Webhooks allows any printable id.
 */
export function webhookId(eventId: string, dispatcherId: string, repeatTimes: number): string {
  return repeatTimes === 0 ? `msg_${eventId}_${dispatcherId}` : `msg_${eventId}_${dispatcherId}_r${repeatTimes}`;
}

/**
 * The three Standard Webhooks headers (or gRPC metadata entries); `webhook-signature` only when there is
 * a secret, with one `v1,<sig>` per secret (current first), space-separated.
 */
export function webhookHeaders(options: { id: string; body: Buffer; secrets: readonly string[]; nowMs: number }): Record<string, string> {
  const timestamp = Math.floor(options.nowMs / 1000);
  const headers: Record<string, string> = { 'webhook-id': options.id, 'webhook-timestamp': String(timestamp) };
  if (options.secrets.length > 0)
    headers['webhook-signature'] = options.secrets.map((secret) => webhookSignature(secret, options.id, timestamp, options.body)).join(' ');
  return headers;
}
