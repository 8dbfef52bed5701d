// Secrets at rest (webhook secrets, auth tokens, future TLS key references): AES-256-GCM via node:crypto
// under EY_SECRETS_KEY. A sealed value is one text value, `eyenc:v1:<key id>:<base64url(iv | ciphertext | tag)>`,
// so it lives in the column the plaintext used to and says which key sealed it: after EY_SECRETS_KEY is
// rotated, rows sealed with the old key still open with it (EY_SECRETS_KEY_PREVIOUS) until re-sealed.
// The key id is derived from the key itself, so nothing else has to be configured or kept in step.
// Every value is sealed with an `aad` naming where it lives (table.column:row), so a sealed value copied
// into another row or column does not open there.
import { CoreErrors } from '../error-codes.ts';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError, EventyardError } from '../errors.ts';

/** The codes of every error this module throws (docs/errors.md lists them). */
export const SecretsErrorCode = {
  /** EY_SECRETS_KEY / EY_SECRETS_KEY_PREVIOUS is not 32 bytes in base64 or hex. */
  keyInvalid: CoreErrors.EY_SECRETS_KEY_INVALID.code,
  /** A sealed value was read, and no EY_SECRETS_KEY is configured. */
  keyMissing: CoreErrors.EY_SECRETS_KEY_MISSING.code,
  /** A sealed value names a key id that is neither EY_SECRETS_KEY nor in EY_SECRETS_KEY_PREVIOUS. */
  keyUnknown: CoreErrors.EY_SECRETS_KEY_UNKNOWN.code,
  /** The key id matched, but the value does not open (corrupted, or moved from another row/column). */
  decryptFailed: CoreErrors.EY_SECRETS_DECRYPT_FAILED.code,
} as const;

const PREFIX = 'eyenc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface SecretKey {
  /** 16 hex characters derived from the key; stored with every value it seals. */
  readonly id: string;
  readonly key: Buffer;
}

/** Parses a 32-byte key written as 64 hex characters or base64 (standard or url-safe); `name` is the variable. */
export function parseSecretKey(text: string, name: string): SecretKey {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  if (key?.length !== KEY_BYTES) {
    // The message never echoes the value: it is a key.
    throw new ConfigError(
      CoreErrors.EY_SECRETS_KEY_INVALID,
      `config: ${name}: must be ${KEY_BYTES} random bytes as 64 hex characters or base64 (e.g. openssl rand -base64 32)`,
    );
  }
  return Object.freeze({ id: keyId(key), key });
}

/** A fresh random key in the base64 form parseSecretKey reads (used by `eventyard dev` and the docs). */
export function generateSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function keyId(key: Buffer): string {
  return createHash('sha256').update('eventyard secrets key id\0').update(key).digest('hex').slice(0, 16);
}

/** True when a stored value is sealed (the `eyenc:v1:` form), whatever key sealed it. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The key id a sealed value names; undefined for plaintext. */
export function sealedKeyId(stored: string): string | undefined {
  if (!isSealed(stored)) return undefined;
  return stored.slice(PREFIX.length).split(':', 1)[0];
}

/**
 * The configured keys: `current` seals, `current` and every `previous` key open. Without a current key
 * (no EY_SECRETS_KEY) values are stored as plaintext and a sealed value cannot be read (EY_SECRETS_KEY_MISSING).
 */
export class SecretKeyring {
  readonly current: SecretKey | undefined;
  readonly #keys = new Map<string, SecretKey>();

  constructor(current: SecretKey | undefined, previous: readonly SecretKey[] = []) {
    this.current = current;
    for (const key of [...previous].reverse()) this.#keys.set(key.id, key);
    if (current !== undefined) this.#keys.set(current.id, current);
    Object.freeze(this);
  }

  /** Ids of every key that can open values, current first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()].reverse();
  }

  /** Seals `plaintext` with the current key; plaintext is returned unchanged when no key is configured. */
  seal(plaintext: string, aad: string): string {
    if (this.current === undefined) return plaintext;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.current.id}:${body.toString('base64url')}`;
  }

  /** Opens a stored value (plaintext passes through); `aad` must be the one it was sealed with. */
  open(stored: string, aad: string): string {
    if (!isSealed(stored)) return stored;
    const [id, data] = stored.slice(PREFIX.length).split(':', 2);
    const context = { where: aad, key_id: id };
    if (this.current === undefined && this.#keys.size === 0) {
      throw new EventyardError(CoreErrors.EY_SECRETS_KEY_MISSING, `${aad} is encrypted (key id ${id}) but EY_SECRETS_KEY is not set`, { context });
    }
    const key = id === undefined ? undefined : this.#keys.get(id);
    if (key === undefined) {
      throw new EventyardError(
        CoreErrors.EY_SECRETS_KEY_UNKNOWN,
        `${aad} is encrypted with key id ${id}, which is neither EY_SECRETS_KEY (${this.current?.id ?? 'unset'}) nor in EY_SECRETS_KEY_PREVIOUS`,
        { context },
      );
    }
    const body = Buffer.from(data ?? '', 'base64url');
    try {
      if (body.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', key.key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new EventyardError(CoreErrors.EY_SECRETS_DECRYPT_FAILED, `${aad} does not decrypt with key id ${id}: corrupted, or copied from another row`, {
        cause: err,
        context,
      });
    }
  }

  /** True when `stored` is plaintext or sealed by another key than the current one (what a re-seal rewrites). */
  needsReseal(stored: string): boolean {
    if (this.current === undefined) return false;
    return sealedKeyId(stored) !== this.current.id;
  }
}
