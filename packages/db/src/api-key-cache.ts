// Bearer secrets resolved to API keys through a short cache, shared by the producer (Report) and the
// admin API, so a busy caller does not query Postgres per request. Entries live `ttlMs` at most; callers
// that follow the api_keys table (TableWatcher) drop the cache on every change, so a revoked key stops
// working within moments, and at the latest after the TTL. An expiry passing while cached is honoured at
// once. Valid keys and unknown secrets are cached apart, each dropping its oldest entry when full, so a
// flood of wrong secrets can neither grow the cache nor push the good keys out. Use is recorded off the
// hot path, at most once a minute per key.
import type { Logger } from '@eventyard/core';
import type { Knex } from 'knex';
import { findApiKeyBySecret, touchApiKey, type ApiKeyRecord } from './api-keys.ts';

/** How often one key's last_used_at is written at most: operators want "recently", not every call. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ApiKeyCacheOptions {
  knex: Knex;
  logger: Logger;
  /** How long a lookup (found or not) is reused. @default 10000 */
  ttlMs?: number;
  /** Entries kept per kind (valid keys, unknown secrets); the oldest goes first. @default 1000 */
  maxEntries?: number;
  /** @default Date.now */
  now?: () => number;
}

export class ApiKeyCache {
  readonly #knex: Knex;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #valid: BoundedTtlMap<ApiKeyRecord>;
  readonly #unknown: BoundedTtlMap<true>;
  readonly #touched = new Map<string, number>();

  constructor(options: ApiKeyCacheOptions) {
    this.#knex = options.knex;
    this.#log = options.logger.child({ component: 'api-key-cache' });
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#maxEntries = options.maxEntries ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#valid = new BoundedTtlMap(this.#maxEntries);
    this.#unknown = new BoundedTtlMap(this.#maxEntries);
  }

  /** The active key a secret belongs to, or undefined (unknown, revoked or expired). */
  async find(secret: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.cached(secret);
    if (cached !== undefined) return cached;
    const now = this.#now();
    if (this.#unknown.get(secret, now) !== undefined) return undefined;
    const key = await findApiKeyBySecret(this.#knex, secret);
    if (key === undefined) this.#unknown.set(secret, true, now + this.#ttlMs);
    else this.#valid.set(secret, key, now + this.#ttlMs);
    return key === undefined || expired(key, now) ? undefined : key;
  }

  /** The key while its cached lookup is fresh and the key unexpired, without a query; else undefined. */
  cached(secret: string): ApiKeyRecord | undefined {
    const now = this.#now();
    const key = this.#valid.get(secret, now);
    return key === undefined || expired(key, now) ? undefined : key;
  }

  /**
   * Whether the secret was a valid key when last looked up (its entry may have aged out since): a caller
   * limiting failed lookups lets such a secret through to be checked again, so one client guessing keys
   * behind a shared address cannot lock the others' good keys out.
   */
  wasKnownGood(secret: string): boolean {
    return this.#valid.has(secret);
  }

  /**
   * Forgets every lookup (call when api_keys changes): the next use of any secret queries again. Valid
   * secrets stay marked as known good (wasKnownGood), so a change to the keys table in the middle of a
   * flood of guesses from a shared address does not lock that address's good keys out; a revoked one is
   * still refused by its fresh lookup.
   */
  clear(): void {
    this.#valid.expireAll();
    this.#unknown.clear();
  }

  /** Records use without waiting, at most once a minute per key; a failure only costs the timestamp. */
  touch(id: string): void {
    const now = this.#now();
    if ((this.#touched.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    if (this.#touched.size >= this.#maxEntries) this.#touched.clear();
    this.#touched.set(id, now);
    touchApiKey(this.#knex, id).catch((err: unknown) => this.#log.warn({ err, keyId: id }, 'could not record API key use'));
  }
}

/** A TTL map that drops its oldest entry when full (never everything: one flood cannot empty it). */
class BoundedTtlMap<T> {
  readonly #entries = new Map<string, { value: T; until: number }>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The value while fresh; an aged-out entry is kept (see has) until replaced or pushed out. */
  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined || entry.until <= now ? undefined : entry.value;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  set(key: string, value: T, until: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, until });
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Every entry aged out at once: get misses, has still answers. */
  expireAll(): void {
    for (const entry of this.#entries.values()) entry.until = 0;
  }
}

function expired(key: ApiKeyRecord, now: number): boolean {
  return key.expires_at != null && key.expires_at.getTime() <= now;
}
