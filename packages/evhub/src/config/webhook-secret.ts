// Webhook signing secrets in the Standard Webhooks form: `whsec_` + base64 of the HMAC key. Generated
// secrets have 32 random bytes; a supplied one must decode to 24..64 bytes, so a short, typo'd or
// non-base64 secret is refused when saved instead of producing signatures nobody can check.
import { createHash, randomBytes } from 'node:crypto';
import { invalid } from './field-checks.ts';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Shown by GET in place of a stored secret; POSTed back it keeps the stored one. */
export const SECRET_REDACTED = '[redacted]';
const GENERATED_BYTES = 32;
const MIN_BYTES = 24;
const MAX_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new random secret, `whsec_` + base64 of 32 bytes. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(GENERATED_BYTES).toString('base64')}`;
}

/** Throws EY_INVALID_CONFIG naming `field` unless `value` is `whsec_` + base64 of 24..64 bytes. */
export function assertWebhookSecret(value: string, field: string): string {
  const body = value.startsWith(WEBHOOK_SECRET_PREFIX) ? value.slice(WEBHOOK_SECRET_PREFIX.length) : undefined;
  if (body === undefined || !BASE64.test(body)) {
    throw invalid(
      field,
      `must be "${WEBHOOK_SECRET_PREFIX}" followed by base64 of ${MIN_BYTES}..${MAX_BYTES} random bytes (Standard Webhooks form); omit it to have one generated`,
    );
  }
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < MIN_BYTES || bytes > MAX_BYTES)
    throw invalid(field, `must decode to ${MIN_BYTES}..${MAX_BYTES} bytes after "${WEBHOOK_SECRET_PREFIX}", got ${bytes}`);
  return value;
}

/**
 * What GET shows of a secret: `sha256:` + 16 hex of its digest, enough to tell which secret a consumer
 * holds without revealing it.
 */
export function secretFingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)}`;
}
