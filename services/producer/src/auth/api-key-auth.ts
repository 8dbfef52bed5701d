// Report authentication (DESIGN.md, security): `authorization: Bearer <api key>` checked against the
// hashed keys in Postgres and scoped to the event's app_id with the `report` permission, or `broadcast`
// for a broadcast. EY_REQUIRE_API_KEY=true (the default) requires a key on every Report except for an
// (app_id, topic_id) whose producer config grants `anonymous: true`; false never requires one (a broadcast
// needs one in every mode). Nothing about the keys that exist changes this: revoking the last key never
// reopens ingest.
// Lookups go through @eventyard/db's ApiKeyCache (shared with the admin API: valid and unknown secrets
// cached apart, dropped whenever the api_keys table changes, ApiKeyWatch), and failed lookups are
// rate-limited per client address: past EY_AUTH_FAILURE_LIMIT a caller's keys that are not already known
// good are refused without a query (a brute force costs Postgres nothing).
import { CoreErrors, ValidationError, type Logger } from '@eventyard/core';
import { ApiKeyCache, apiKeyAllows, type ApiKeyRecord, type Knex } from '@eventyard/db';
import { AUTH_RATE_LIMITED, slowDown } from '../quota/refusals.ts';
import { BucketMap, TokenBucket } from '../quota/token-bucket.ts';

/** Client addresses whose failures are remembered at once; the least recently seen is forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** Who is calling: the credentials and where they come from. */
export interface Caller {
  /** The `authorization` metadata / header, when sent. */
  authorization?: string;
  /** The peer's IP address (no port), for the failed-lookup limit. */
  address?: string;
}

/** The (app_id, topic_id) producer configs that grant anonymous Reports (ProducerSettings). */
export interface AnonymousGrants {
  anonymousAllowed(appId: string, topicId: string): boolean;
}

export interface ApiKeyAuthOptions {
  knex: Knex;
  /** EY_REQUIRE_API_KEY. */
  requireApiKey: boolean;
  grants: AnonymousGrants;
  /** EY_AUTH_FAILURE_LIMIT failed lookups per EY_AUTH_FAILURE_WINDOW_MS and client address. */
  failures: { limit: number; windowMs: number };
  logger: Logger;
  /** @default 10000 */
  cacheTtlMs?: number;
  /** Per cache (valid keys, unknown keys). @default 1000 */
  cacheMaxEntries?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface AuthorizeOptions {
  /** The Report asks to be broadcast: needs a key with the `broadcast` permission for the app. */
  broadcast?: boolean;
}

export class ApiKeyAuth {
  readonly #options: ApiKeyAuthOptions;
  readonly #now: () => number;
  readonly #cache: ApiKeyCache;
  readonly #failures = new BucketMap(MAX_TRACKED_ADDRESSES);

  constructor(options: ApiKeyAuthOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#cache = new ApiKeyCache({
      knex: options.knex,
      logger: options.logger.child({ component: 'api-key-auth' }),
      now: this.#now,
      ...(options.cacheTtlMs === undefined ? {} : { ttlMs: options.cacheTtlMs }),
      ...(options.cacheMaxEntries === undefined ? {} : { maxEntries: options.cacheMaxEntries }),
    });
  }

  /** Forgets cached lookups (called when api_keys changes). */
  clearCache(): void {
    this.#cache.clear();
  }

  /**
   * Resolves to the key the call was authorised with, or undefined for an allowed anonymous call.
   * Throws EY_UNAUTHENTICATED / EY_PERMISSION_DENIED (ret 10000), EY_AUTH_RATE_LIMITED (retryable). A key
   * that is presented is checked wherever keys matter (required, anonymous grant, broadcasts): a caller
   * sending a key means to be identified by it, so a wrong one is refused even where none is needed.
   */
  async authorize(caller: Caller, target: { appId: string; topicId: string }, options: AuthorizeOptions = {}): Promise<ApiKeyRecord | undefined> {
    const { appId, topicId } = target;
    const broadcast = options.broadcast === true;
    const authorization = caller.authorization;
    if (authorization === undefined || authorization.trim() === '') {
      if (broadcast) throw broadcastDenied(appId);
      if (this.#options.requireApiKey && !this.#options.grants.anonymousAllowed(appId, topicId)) {
        throw unauthenticated(
          `authorization: an API key is required (authorization: Bearer <key>); the producer config of ${appId}/${topicId} does not grant anonymous Reports`,
        );
      }
      return undefined;
    }
    // EY_REQUIRE_API_KEY=false ignores whatever authorization a client sends along.
    if (!this.#options.requireApiKey && !broadcast) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw unauthenticated('authorization: an API key is required (authorization: Bearer <key>)');
    const key = await this.#lookup(match[1] ?? '', caller.address ?? 'unknown');
    if (broadcast) {
      if (!apiKeyAllows(key, appId, 'broadcast')) throw broadcastDenied(appId, key.id);
    } else if (!apiKeyAllows(key, appId, 'report')) {
      throw new ValidationError(CoreErrors.EY_PERMISSION_DENIED, `authorization: API key ${key.id} may not report to app_id "${appId}"`, {
        context: { keyId: key.id },
      });
    }
    this.#cache.touch(key.id);
    return key;
  }

  /** The valid key behind `secret`; throws EY_UNAUTHENTICATED (and counts a failure) or EY_AUTH_RATE_LIMITED. */
  async #lookup(secret: string, address: string): Promise<ApiKeyRecord> {
    const cached = this.#cache.cached(secret);
    if (cached !== undefined) return cached;
    // Anything not known good costs the caller's failure allowance if it fails: check it first. A key that
    // was good when last looked up (its cache entry only aged out) is re-checked even then: behind a
    // proxy many clients share an address, and one guessing keys must not lock out the others' keys.
    const now = this.#now();
    const wait = this.#failures.get(address)?.waitMs(now) ?? 0;
    if (wait > 0 && !this.#cache.wasKnownGood(secret)) {
      const { limit, windowMs } = this.#options.failures;
      throw slowDown(
        AUTH_RATE_LIMITED,
        `authorization: too many failed API key lookups from ${address} (limit EY_AUTH_FAILURE_LIMIT=${limit} per EY_AUTH_FAILURE_WINDOW_MS=${windowMs}); retry in ${wait} ms`,
        { name: 'EY_AUTH_FAILURE_LIMIT', value: limit },
        wait,
      );
    }
    const key = await this.#cache.find(secret);
    if (key === undefined) {
      this.#failed(address, now);
      throw unauthenticated('authorization: unknown, revoked or expired API key');
    }
    return key;
  }

  #failed(address: string, now: number): void {
    const { limit, windowMs } = this.#options.failures;
    const bucket = this.#failures.getOrCreate(address, () => new TokenBucket((limit * 1000) / windowMs, limit, now));
    bucket.take(now);
  }
}

function unauthenticated(message: string): ValidationError {
  return new ValidationError(CoreErrors.EY_UNAUTHENTICATED, message);
}

function broadcastDenied(appId: string, keyId?: string): ValidationError {
  const which = keyId === undefined ? '' : ` (API key ${keyId} does not have it)`;
  return new ValidationError(
    CoreErrors.EY_PERMISSION_DENIED,
    `authorization: broadcast requires an API key with the broadcast permission for app_id "${appId}"${which}`,
    {
      context: keyId === undefined ? {} : { keyId },
    },
  );
}
