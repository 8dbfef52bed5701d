// Which permission each admin route needs: one table, so a reviewer sees the whole policy at once and a
// route registered without an entry fails the server's construction (admin-server.ts) instead of
// falling open. `admin` on a key (or the admin token) allows every route.
//
// - events:read  read events, deliveries, stats, replay job status, and configs (their secrets are
//                always shown redacted), and test a filter or a transform (computes only)
// - config:write create, change, delete, pause and resume producers, processors and sources, rotate signing secrets
// - replay       replay events, redrive dead letters, cancel replays and scheduled events
// - keys:manage  create, list, read and revoke API keys
import type { ApiKeyPermission } from '@eventyard/db';

/** The permissions the admin API checks (report and broadcast are the producer's). */
export type AdminPermission = Extract<ApiKeyPermission, 'events:read' | 'config:write' | 'replay' | 'keys:manage' | 'admin'>;

/**
 * Routes served to anyone: the OpenAPI document describes the API's shape and holds no data, and so do
 * the web console's files (its page signs in and sends the credential on every API call, like any client).
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['GET /openapi.json', 'GET /ui', 'GET /ui/*']);

/** `<METHOD> <fastify route url>` → the permission a key needs. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, AdminPermission>> = {
  'POST /v1/producer': 'config:write',
  'GET /v1/producer/:app_id/:topic_id': 'events:read',
  'DELETE /v1/producer/:app_id/:topic_id': 'config:write',
  'GET /v1/producers': 'events:read',
  'POST /v1/processor': 'config:write',
  'GET /v1/processor/:dispatcher_id': 'events:read',
  'DELETE /v1/processor/:dispatcher_id': 'config:write',
  'GET /v1/processors': 'events:read',
  'POST /v1/processors/:dispatcher_id/pause': 'config:write',
  'POST /v1/processors/:dispatcher_id/secret/rotate': 'config:write',
  'POST /v1/processors/:dispatcher_id/resume': 'config:write',
  'POST /v1/processors/:dispatcher_id/redrive': 'replay',
  'GET /v1/processors/:dispatcher_id/stats': 'events:read',
  'GET /v1/processors/:dispatcher_id/health': 'events:read',
  'GET /v1/processors/:dispatcher_id/timeline': 'events:read',
  'POST /v1/filters/test': 'events:read',
  'POST /v1/transforms/test': 'events:read',
  'GET /v1/events': 'events:read',
  'GET /v1/events/:event_id': 'events:read',
  'GET /v1/events/:event_id/watch': 'events:read',
  'GET /v1/watch': 'events:read',
  'GET /v1/deliveries': 'events:read',
  'DELETE /v1/events/:event_id/schedule': 'replay',
  'POST /v1/events/:event_id/replay': 'replay',
  'POST /v1/replay': 'replay',
  'GET /v1/replays': 'events:read',
  'GET /v1/replays/:replay_id': 'events:read',
  'POST /v1/replays/:replay_id/cancel': 'replay',
  'POST /v1/api-keys': 'keys:manage',
  'GET /v1/api-keys': 'keys:manage',
  'GET /v1/api-keys/:id': 'keys:manage',
  'DELETE /v1/api-keys/:id': 'keys:manage',
  'POST /v1/sources': 'config:write',
  'GET /v1/sources': 'events:read',
  'GET /v1/sources/:source_id': 'events:read',
  'DELETE /v1/sources/:source_id': 'config:write',
  'POST /v1/sources/:source_id/pause': 'config:write',
  'POST /v1/sources/:source_id/resume': 'config:write',
};

/** The table's key for a request or route; HEAD is answered by the GET route, so it needs GET's permission. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}
