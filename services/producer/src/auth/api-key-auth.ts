// Report authentication (DESIGN.md, security): `authorization: Bearer <api key>` checked against the
// hashed keys in Postgres and scoped to the event's app_id with the `report` permission. Lookups are
// cached briefly so a busy producer does not query Postgres per Report; a revoked key stops working
// within the cache TTL.
import { ResultCode, ValidationError } from '@eventyard/core';
import { apiKeyAllows, findApiKeyBySecret, type ApiKeyRecord, type Knex } from '@eventyard/db';

export const UNAUTHENTICATED = 'EY_UNAUTHENTICATED';
export const PERMISSION_DENIED = 'EY_PERMISSION_DENIED';

export interface ApiKeyAuthOptions {
  knex: Knex;
  /** @default 10000 */
  cacheTtlMs?: number;
  /** @default 1000 */
  cacheMaxEntries?: number;
}

export class ApiKeyAuth {
  readonly #knex: Knex;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #cache = new Map<string, { key: ApiKeyRecord | undefined; until: number }>();

  constructor(options: ApiKeyAuthOptions) {
    this.#knex = options.knex;
    this.#ttlMs = options.cacheTtlMs ?? 10_000;
    this.#maxEntries = options.cacheMaxEntries ?? 1000;
  }

  /** Throws EY_UNAUTHENTICATED / EY_PERMISSION_DENIED (ret 10000) unless the header's key may report to appId. */
  async authorize(authorization: string | undefined, appId: string): Promise<void> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match === null) {
      throw new ValidationError(UNAUTHENTICATED, 'authorization: an API key is required (authorization: Bearer <key>)', { resultCode: ResultCode.INVALID_PARAMETER });
    }
    const key = await this.#lookup(match[1] ?? '');
    if (key === undefined) {
      throw new ValidationError(UNAUTHENTICATED, 'authorization: unknown, revoked or expired API key', { resultCode: ResultCode.INVALID_PARAMETER });
    }
    if (!apiKeyAllows(key, appId, 'report')) {
      throw new ValidationError(PERMISSION_DENIED, `authorization: API key ${key.id} may not report to app_id "${appId}"`, {
        resultCode: ResultCode.INVALID_PARAMETER,
        context: { keyId: key.id },
      });
    }
  }

  async #lookup(secret: string): Promise<ApiKeyRecord | undefined> {
    const now = Date.now();
    const cached = this.#cache.get(secret);
    if (cached !== undefined && cached.until > now) return cached.key;
    const key = await findApiKeyBySecret(this.#knex, secret);
    if (this.#cache.size >= this.#maxEntries) this.#cache.clear();
    this.#cache.set(secret, { key, until: now + this.#ttlMs });
    return key;
  }
}
