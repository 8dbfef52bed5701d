// Report authentication (DESIGN.md, security): `authorization: Bearer <api key>` checked against the
// hashed keys in Postgres and scoped to the event's app_id with the `report` permission, or `broadcast`
// for a broadcast. EY_REQUIRE_API_KEY picks when a key is needed (auto: once any active key exists;
// true: always; false: never, except for a broadcast, which needs one in every mode). Lookups are cached
// briefly (@eventyard/db's ApiKeyCache, shared with the admin API) so a busy producer does not query
// Postgres per Report; the cache is dropped whenever the api_keys table changes (ApiKeyWatch), so a
// revoked key stops working within moments.
import { CoreErrors, ValidationError, type Logger } from '@eventyard/core';
import { ApiKeyCache, apiKeyAllows, type ApiKeyRecord, type Knex } from '@eventyard/db';
import type { ApiKeyMode } from '../config.ts';
import { ProducerErrors } from '../error-codes.ts';

export interface ApiKeyAuthOptions {
  knex: Knex;
  mode: ApiKeyMode;
  /** Whether any active key exists (read by `auto` mode on every Report: keep it a cached value). */
  keys: { readonly anyActive: boolean };
  logger: Logger;
  /** @default 10000 */
  cacheTtlMs?: number;
  /** @default 1000 */
  cacheMaxEntries?: number;
}

export interface AuthorizeOptions {
  /** The Report asks to be broadcast: needs a key with the `broadcast` permission for the app. */
  broadcast?: boolean;
}

export class ApiKeyAuth {
  readonly #options: ApiKeyAuthOptions;
  readonly #cache: ApiKeyCache;

  constructor(options: ApiKeyAuthOptions) {
    this.#options = options;
    this.#cache = new ApiKeyCache({
      knex: options.knex,
      logger: options.logger.child({ component: 'api-key-auth' }),
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
   * Throws EY_UNAUTHENTICATED / EY_PERMISSION_DENIED (ret 10000). A key that is presented is always
   * checked where keys matter (auto, true, and broadcasts): a wrong one is refused even while auto mode
   * accepts anonymous calls, because a caller sending a key means to be identified by it.
   */
  async authorize(authorization: string | undefined, appId: string, options: AuthorizeOptions = {}): Promise<ApiKeyRecord | undefined> {
    const broadcast = options.broadcast === true;
    const presented = authorization !== undefined && authorization.trim() !== '';
    const required = this.#options.mode === 'true' || (this.#options.mode === 'auto' && this.#options.keys.anyActive);
    if (!presented) {
      if (broadcast) throw broadcastDenied(appId);
      if (required) throw unauthenticated('authorization: an API key is required (authorization: Bearer <key>)');
      return undefined;
    }
    // `false` mode ignores whatever authorization a client sends along, as before keys existed.
    if (this.#options.mode === 'false' && !broadcast) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw unauthenticated('authorization: an API key is required (authorization: Bearer <key>)');
    const key = await this.#cache.find(match[1] ?? '');
    if (key === undefined) throw unauthenticated('authorization: unknown, revoked or expired API key');
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
}

function unauthenticated(message: string): ValidationError {
  return new ValidationError(CoreErrors.EY_UNAUTHENTICATED, message);
}

function broadcastDenied(appId: string, keyId?: string): ValidationError {
  const which = keyId === undefined ? '' : ` (API key ${keyId} does not have it)`;
  return new ValidationError(CoreErrors.EY_PERMISSION_DENIED, `authorization: broadcast requires an API key with the broadcast permission for app_id "${appId}"${which}`, {
    context: keyId === undefined ? {} : { keyId },
  });
}
