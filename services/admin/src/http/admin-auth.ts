// Admin API authentication: every route but the public ones needs `authorization: Bearer <credential>`,
// either the admin token (EY_ADMIN_TOKEN, allows everything) or an API key whose permissions allow the
// route (route-permissions.ts). No or unknown credential, or a revoked or expired key: 401; a valid key
// without the permission: 403. The token is compared as SHA-256 digests in constant time, so neither it
// nor its length leaks by timing; keys are looked up through @eventyard/db's short cache.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyCache, ApiKeyRecord } from '@eventyard/db';
import { HttpError } from './api-error.ts';
import { CoreErrors } from '@eventyard/core';
import type { AdminPermission } from './route-permissions.ts';

/** Who a request was authorised as: the admin token, or an API key. */
export type AdminPrincipal = { kind: 'token' } | { kind: 'key'; key: ApiKeyRecord };

export interface AdminAuthOptions {
  /** The admin token; undefined = only API keys are accepted. */
  token?: string;
  keys: ApiKeyCache;
}

export type AdminAuthorizer = (authorization: string | undefined, permission: AdminPermission | undefined) => Promise<AdminPrincipal>;

/**
 * Checks one request's credential against the permission its route needs (undefined: an unmatched URL,
 * which any valid credential may learn is not found). Throws HttpError 401 / 403.
 */
export function createAdminAuthorizer(options: AdminAuthOptions): AdminAuthorizer {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (authorization, permission) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const credential = match?.[1];
    if (credential === undefined) throw new HttpError(CoreErrors.EY_UNAUTHENTICATED, 'authorization: Bearer <admin token or API key> is required');
    if (expected !== undefined && timingSafeEqual(digest(credential), expected)) return { kind: 'token' };
    const key = await options.keys.find(credential);
    if (key === undefined)
      throw new HttpError(CoreErrors.EY_UNAUTHENTICATED, 'authorization: not the admin token, nor an active API key (unknown, revoked or expired)');
    options.keys.touch(key.id);
    if (permission === undefined || keyAllows(key, permission)) return { kind: 'key', key };
    throw new HttpError(
      CoreErrors.EY_PERMISSION_DENIED,
      `authorization: API key ${key.id} lacks the "${permission}" permission this route needs${everyApp(key) ? '' : ' (admin permissions count only on keys for every app, app_ids ["*"])'}`,
    );
  };
}

/**
 * Admin routes are not scoped to apps (a list or a replay spans every app), so an admin permission counts
 * only on a key for every app: a key for app "a" with events:read must not read app "b"'s events.
 */
export function keyAllows(key: ApiKeyRecord, permission: AdminPermission): boolean {
  return everyApp(key) && (key.permissions.includes('admin') || key.permissions.includes(permission));
}

function everyApp(key: ApiKeyRecord): boolean {
  return key.app_ids.includes('*');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
