// Bearer secrets resolved to API keys through a short cache, shared by the producer (Report) and the
// admin API, so a busy caller does not query Postgres per request. Entries live `ttlMs` at most; callers
// that follow the api_keys table (TableWatcher) drop the cache on every change, so a revoked key stops
// working within moments, and at the latest after the TTL. An expiry passing while cached is honoured at
// once. Use is recorded off the hot path, at most once a minute per key.
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
  /** Entries kept before the cache is emptied (a flood of wrong secrets cannot grow it). @default 1000 */
  maxEntries?: number;
}

export class ApiKeyCache {
  readonly #knex: Knex;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { key: ApiKeyRecord | undefined; until: number }>();
  readonly #touched = new Map<string, number>();

  constructor(options: ApiKeyCacheOptions) {
    this.#knex = options.knex;
    this.#log = options.logger.child({ component: 'api-key-cache' });
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#maxEntries = options.maxEntries ?? 1000;
  }

  /** The active key a secret belongs to, or undefined (unknown, revoked or expired). */
  async find(secret: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.#entries.get(secret);
    if (cached !== undefined && cached.until > now) return expired(cached.key, now) ? undefined : cached.key;
    const key = await findApiKeyBySecret(this.#knex, secret);
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(secret, { key, until: now + this.#ttlMs });
    return key;
  }

  /** Forgets every lookup (call when api_keys changes). */
  clear(): void {
    this.#entries.clear();
  }

  /** Records use without waiting, at most once a minute per key; a failure only costs the timestamp. */
  touch(id: string): void {
    const now = Date.now();
    if ((this.#touched.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    if (this.#touched.size >= this.#maxEntries) this.#touched.clear();
    this.#touched.set(id, now);
    touchApiKey(this.#knex, id).catch((err: unknown) => this.#log.warn({ err, keyId: id }, 'could not record API key use'));
  }
}

function expired(key: ApiKeyRecord | undefined, now: number): boolean {
  return key?.expires_at != null && key.expires_at.getTime() <= now;
}
