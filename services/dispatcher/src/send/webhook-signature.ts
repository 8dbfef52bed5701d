// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id` (the same for every retry of
// a message), `webhook-timestamp` (Unix seconds) and `webhook-signature` = `v1,` + base64 of
// HMAC-SHA256(key, `${id}.${timestamp}.${body}`). A secret written `whsec_<base64>` (the spec's form)
// keys with the decoded bytes; any other secret keys with its UTF-8 bytes.
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

/** The three Standard Webhooks headers; the signature only when the processor has a secret. */
export function webhookHeaders(options: { id: string; body: Buffer; secret: string | null; nowMs: number }): Record<string, string> {
  const timestamp = Math.floor(options.nowMs / 1000);
  const headers: Record<string, string> = { 'webhook-id': options.id, 'webhook-timestamp': String(timestamp) };
  if (options.secret !== null) headers['webhook-signature'] = webhookSignature(options.secret, options.id, timestamp, options.body);
  return headers;
}
