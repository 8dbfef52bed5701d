// API key routes: create (the secret is in this one answer only, Postgres keeps its sha256), list and
// get (never a secret or hash), revoke. Revoking is idempotent: a second DELETE answers the key as it is,
// with the first revocation's time, so a retried call cannot fail on its own success.
import { CoreErrors, parseRfc3339 } from '@eventyard/core';
import { API_KEY_PERMISSIONS, createApiKey, getApiKey, listApiKeys, revokeApiKey, type ApiKeyPermission, type ApiKeyRecord, type Knex } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import type { AdminPrincipal } from '../http/admin-auth.ts';
import { HttpError } from '../http/api-error.ts';
import { OK } from './route-values.ts';
import { AdminErrors } from '../error-codes.ts';

const KEY_ID = /^[0-9a-f]{12}$/;

interface CreateBody {
  name?: string;
  app_ids: string[];
  permissions?: ApiKeyPermission[];
  expires_at?: string | null;
}

export const apiKeyViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: '12 hex characters; also the second part of the secret' },
    name: { type: 'string' },
    app_ids: { type: 'array', items: { type: 'string' }, description: 'Apps the key may act on; "*" = every app' },
    permissions: { type: 'array', items: { type: 'string', enum: [...API_KEY_PERMISSIONS] } },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'Last Report with this key (written at most once a minute per producer)' },
  },
} as const;

export const createApiKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['app_ids'],
  properties: {
    name: { type: 'string', maxLength: 255 },
    app_ids: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, maxItems: 1000 },
    permissions: { type: 'array', items: { type: 'string', enum: [...API_KEY_PERMISSIONS] }, maxItems: API_KEY_PERMISSIONS.length },
    expires_at: { type: ['string', 'null'], description: 'RFC 3339 date-time in the future; absent or null = never expires' },
  },
} as const;

export function registerApiKeyRoutes(app: FastifyInstance, deps: { knex: Knex; onKeysChanged?: () => void }): void {
  const { knex } = deps;

  app.post<{ Body: CreateBody }>('/v1/api-keys', { schema: { body: createApiKeyBodySchema } }, async (request, reply) => {
    const { name, app_ids, permissions, expires_at } = request.body;
    if (app_ids.length === 0) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'app_ids must list at least one app id (or "*" for every app)');
    if (permissions !== undefined && permissions.length === 0)
      throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `permissions must list at least one of ${API_KEY_PERMISSIONS.join(', ')} (absent = ["report"])`);
    refuseEscalation(request.adminPrincipal, permissions ?? ['report']);
    const { key, secret } = await createApiKey(knex, {
      ...(name === undefined ? {} : { name }),
      app_ids,
      ...(permissions === undefined ? {} : { permissions }),
      expires_at: parseExpiry(expires_at),
    });
    return reply.code(201).send({ ret: OK, api_key: view(key), secret });
  });

  app.get<{ Querystring: { include_revoked?: string } }>(
    '/v1/api-keys',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { include_revoked: { type: 'string', enum: ['true', 'false'] } } } } },
    async (request) => {
      const keys = await listApiKeys(knex, { includeRevoked: request.query.include_revoked !== 'false' });
      return { ret: OK, api_keys: keys.map(view) };
    },
  );

  app.get<{ Params: { id: string } }>('/v1/api-keys/:id', async (request) => {
    return { ret: OK, api_key: view(await found(knex, request.params.id)) };
  });

  app.delete<{ Params: { id: string } }>('/v1/api-keys/:id', async (request) => {
    const { id } = request.params;
    await found(knex, id);
    if (await revokeApiKey(knex, id)) deps.onKeysChanged?.();
    return { ret: OK, api_key: view(await found(knex, id)) };
  });
}

/**
 * A key with keys:manage but not admin may only grant what it holds itself: otherwise keys:manage would be
 * admin in disguise (mint an admin key, then use it). The admin token and admin keys may grant anything.
 */
function refuseEscalation(principal: AdminPrincipal | undefined, permissions: readonly ApiKeyPermission[]): void {
  if (principal?.kind !== 'key' || principal.key.permissions.includes('admin')) return;
  const held = principal.key.permissions;
  const extra = permissions.filter((permission) => !held.includes(permission));
  if (extra.length > 0) {
    throw new HttpError(CoreErrors.EY_PERMISSION_DENIED, `API key ${principal.key.id} may not grant permissions it does not hold: ${extra.join(', ')}`);
  }
}

async function found(knex: Knex, id: string): Promise<ApiKeyRecord> {
  // Not a key id at all: the same 404 as an unknown one, without a query.
  const key = KEY_ID.test(id) ? await getApiKey(knex, id) : undefined;
  if (key === undefined) throw new HttpError(AdminErrors.EY_API_KEY_NOT_FOUND, `API key "${id.slice(0, 64)}" not found`);
  return key;
}

function parseExpiry(value: string | null | undefined): Date | null {
  if (value === undefined || value === null) return null;
  const date = parseRfc3339(value);
  if (date === undefined) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'expires_at must be an RFC 3339 date-time, e.g. 2030-01-31T00:00:00Z');
  if (date.getTime() <= Date.now()) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'expires_at must be in the future');
  return date;
}

/** What the API shows of a key: never the hash (the records never carry it) nor the secret. */
function view(key: ApiKeyRecord): Record<string, unknown> {
  return {
    id: key.id,
    name: key.name,
    app_ids: key.app_ids,
    permissions: key.permissions,
    created_at: key.created_at,
    expires_at: key.expires_at,
    revoked_at: key.revoked_at,
    last_used_at: key.last_used_at,
  };
}
