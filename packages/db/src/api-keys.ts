// API keys for Report and the admin API: the secret is shown once at creation and only its sha256 is
// stored. A key is scoped to app ids (`*` = all) and permissions: report and broadcast for the producer;
// events:read, config:write, replay, keys:manage for the admin API, and admin for every admin route.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { invalidConfigField as invalid, optionalString, requiredString } from '@eventyard/evhub';

export const API_KEY_PERMISSIONS = ['report', 'broadcast', 'admin', 'events:read', 'config:write', 'replay', 'keys:manage'] as const;
export type ApiKeyPermission = (typeof API_KEY_PERMISSIONS)[number];

const SECRET_PREFIX = 'eyk_';

export interface ApiKeyRecord {
  id: string;
  name: string;
  app_ids: string[];
  permissions: ApiKeyPermission[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface CreateApiKeyInput {
  name?: string;
  /** App ids the key may act on; `['*']` = every app. */
  app_ids: string[];
  /** @default ['report'] */
  permissions?: ApiKeyPermission[];
  expires_at?: Date | null;
}

/** Creates a key; `secret` (`eyk_<id>_<random>`) is returned only here. */
export async function createApiKey(knex: Knex, input: CreateApiKeyInput): Promise<{ key: ApiKeyRecord; secret: string }> {
  const name = optionalString(input.name, 'name', '', 255);
  if (!Array.isArray(input.app_ids) || input.app_ids.length === 0) throw invalid('app_ids', 'must list at least one app id (or "*")');
  const appIds = input.app_ids.map((appId, index) => requiredString(appId, `app_ids[${index}]`));
  const permissions = input.permissions ?? ['report'];
  permissions.forEach((permission, index) => {
    if (!API_KEY_PERMISSIONS.includes(permission)) throw invalid(`permissions[${index}]`, `must be one of ${API_KEY_PERMISSIONS.join(', ')}`);
  });
  const id = randomBytes(6).toString('hex');
  const secret = `${SECRET_PREFIX}${id}_${randomBytes(24).toString('base64url')}`;
  const [row] = (await knex('api_keys')
    .insert({ id, name, key_hash: hashSecret(secret), app_ids: appIds, permissions: [...new Set(permissions)], expires_at: input.expires_at ?? null })
    .returning(RECORD_COLUMNS)) as ApiKeyRecord[];
  if (row === undefined) throw new Error('api key insert returned no row');
  return { key: row, secret };
}

/** The active key a bearer secret belongs to, or undefined (unknown, revoked or expired). */
export async function findApiKeyBySecret(knex: Knex, secret: string): Promise<ApiKeyRecord | undefined> {
  if (!secret.startsWith(SECRET_PREFIX)) return undefined;
  const hash = hashSecret(secret);
  const row = (await knex('api_keys')
    .where({ key_hash: hash })
    .whereNull('revoked_at')
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .first([...RECORD_COLUMNS, 'key_hash'])) as (ApiKeyRecord & { key_hash: Buffer }) | undefined;
  // The index lookup already matched; the constant-time compare keeps the intent explicit.
  if (row === undefined || !timingSafeEqual(row.key_hash, hash)) return undefined;
  const { key_hash: _hash, ...key } = row;
  return key;
}

/** Whether a key may act on `appId` with `permission`. */
export function apiKeyAllows(key: ApiKeyRecord, appId: string, permission: ApiKeyPermission): boolean {
  return key.permissions.includes(permission) && (key.app_ids.includes('*') || key.app_ids.includes(appId));
}

export async function listApiKeys(knex: Knex, options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
  const query = knex('api_keys').select(RECORD_COLUMNS).orderBy('created_at');
  if (options.includeRevoked !== true) query.whereNull('revoked_at');
  return (await query) as ApiKeyRecord[];
}

/** Revokes a key; false when it is unknown or already revoked. */
export async function revokeApiKey(knex: Knex, id: string): Promise<boolean> {
  const updated = await knex('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
  return updated > 0;
}

/** One key by id, revoked or not (never its hash); undefined when unknown. */
export async function getApiKey(knex: Knex, id: string): Promise<ApiKeyRecord | undefined> {
  return (await knex('api_keys').where({ id }).first(RECORD_COLUMNS)) as ApiKeyRecord | undefined;
}

/** True while any active (unrevoked, unexpired) key exists: the producer's `auto` mode then requires one. */
export async function anyActiveApiKey(knex: Knex): Promise<boolean> {
  const row = (await knex('api_keys')
    .whereNull('revoked_at')
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .first('id')) as { id: string } | undefined;
  return row !== undefined;
}

/** Records use for operators ("last used"); callers may throttle it. */
export async function touchApiKey(knex: Knex, id: string): Promise<void> {
  await knex('api_keys').where({ id }).update({ last_used_at: knex.fn.now() });
}

const RECORD_COLUMNS = ['id', 'name', 'app_ids', 'permissions', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'];

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
