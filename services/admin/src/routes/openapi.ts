// The admin API's OpenAPI 3.1 document, served at /openapi.json. Written by hand from the same request
// schemas fastify validates with, so the two cannot disagree on fields.
import type { FastifyInstance } from 'fastify';
import { toJsonSchema } from '@valibot/to-json-schema';
import { processorConfInfoSchema, producerConfInfoSchema, statusChangeSchema } from '@eventyard/evhub';
import { rotateSecretBodySchema } from './secret-rotate.ts';
import { retSchema } from './ret-schema.ts';
import { filterTestBodySchema } from './filters.ts';
import { transformTestAnswer, transformTestBodySchema } from './transforms.ts';
import { replayOpenApiPaths } from '../replay/openapi-paths.ts';
import { historyOpenApiPaths } from '../history/openapi-paths.ts';
import { processorHealthOpenApiPaths, processorHealthSchema } from './processor-health.ts';
import { watchOpenApiPaths } from './watch.ts';
import { apiKeyViewSchema, createApiKeyBodySchema } from './api-keys.ts';
import { sourceOpenApiPaths } from './sources.ts';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string, properties: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['ret'], properties: { ret: { $ref: '#/components/schemas/Ret' }, ...properties } } } },
});
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const queryParam = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description });
const common = {
  '400': errorResponse('Invalid input; `ret.msg` names the field'),
  '401': errorResponse('Missing or wrong admin token (when EY_ADMIN_TOKEN is set)'),
  '500': errorResponse('Internal error'),
};

export function openApiDocument(): Record<string, unknown> {
  const processor = { $ref: '#/components/schemas/ProcessorConfInfo' };
  const producer = { $ref: '#/components/schemas/ProducerConfInfo' };
  const signing = { $ref: '#/components/schemas/Signing' };
  const health = { $ref: '#/components/schemas/ProcessorHealth' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Eventyard admin API',
      version: '0.1.0',
      description: "EvHub's config routes plus event history. Every reply carries EvHub's `ret` ({code, msg}); errors also carry a stable `error` code.",
    },
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The admin token (EY_ADMIN_TOKEN, every route) or an API key whose permissions allow the route (events:read, config:write, replay, keys:manage; admin = every route). Missing or invalid: 401; a key without the permission: 403.',
        },
      },
      schemas: {
        Ret: retSchema,
        Error: {
          type: 'object',
          required: ['ret', 'error'],
          properties: { ret: { $ref: '#/components/schemas/Ret' }, error: { type: 'string', description: 'EY_* code' } },
        },
        ProcessorConfInfo: processorConfInfoSchema,
        StatusChange: {
          description: 'A record of eventyard.status (version 1): a delivery status change or a processor state change',
          ...statusChangeJsonSchema(),
        },
        Signing: {
          type: 'object',
          description: "A processor's webhook signing: fingerprints only, except `webhook_secret` in the answer that generated it (shown once)",
          properties: {
            webhook_secret: { type: 'string', description: 'The generated secret (whsec_…): only in the answer of the create or rotation that generated it' },
            fingerprint: { type: 'string', description: 'sha256:<16 hex> of the current secret' },
            previous_fingerprint: { type: ['string', 'null'], description: 'Of the secret still signed with during a rotation overlap' },
            previous_expires_at: { type: ['string', 'null'], format: 'date-time', description: 'End of the rotation overlap' },
          },
        },
        ProducerConfInfo: producerConfInfoSchema,
        ProcessorHealth: processorHealthSchema,
        EventView: {
          type: 'object',
          properties: {
            event: {
              type: 'object',
              description:
                'event_id, app_id, topic_id, status (routed | filtered | no_subscribers | rejected | …), status_reason (why, for rejected), trace_id (W3C trace id of the event trace, or null), trigger, payload {size, base64, json?, pruned_at}, times',
            },
            next_due_at: { type: ['string', 'null'], format: 'date-time' },
            deliveries: {
              type: 'array',
              items: {
                type: 'object',
                description:
                  'Per processor: status (pending | scheduled | delivering | succeeded | failed | dead | filtered | cancelled), attempt_count, retry_source, next_due_at (next attempt or next repeat occurrence), repeat {next_repeat_times, next_due_at, cancelled_at, cancel_reason} for a repeat event, last error, and attempts [{attempt_no, retry_source, started_at, finished_at, latency_ms, outcome, error_code, error_message, response_status, ret_code, response_excerpt}]',
              },
            },
          },
        },
      },
    },
    security: [{ adminToken: [] }],
    paths: {
      '/v1/producer': {
        post: {
          summary: 'Create or fully replace a producer config (EvHub)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['producer_conf_info'], properties: { producer_conf_info: producer } } } },
          },
          responses: { '200': ok('Saved', { producer_conf_info: producer }), '409': errorResponse('Stale version'), ...common },
        },
      },
      '/v1/producer/{app_id}/{topic_id}': {
        get: {
          summary: 'Get a producer config (EvHub)',
          parameters: [pathParam('app_id', 'App id'), pathParam('topic_id', 'Topic id')],
          responses: { '200': ok('Found', { producer_conf_info: producer }), '404': errorResponse('No such producer'), ...common },
        },
        delete: {
          summary: 'Delete a producer config',
          parameters: [
            pathParam('app_id', 'App id'),
            pathParam('topic_id', 'Topic id'),
            queryParam('version', 'Delete only while the stored version is this one'),
          ],
          responses: { '200': ok('Deleted'), '404': errorResponse('No such producer'), '409': errorResponse('Stale version'), ...common },
        },
      },
      '/v1/producers': {
        get: {
          summary: 'List producers by (app_id, topic_id), keyset-paginated',
          parameters: [
            queryParam('app_id', 'Only this app'),
            queryParam('cursor', 'next_cursor of the previous page (opaque)'),
            queryParam('limit', 'Page size, 1-1000 (default 100)'),
          ],
          responses: { '200': ok('A page', { producers: { type: 'array', items: producer }, next_cursor: { type: ['string', 'null'] } }), ...common },
        },
      },
      '/v1/processor': {
        post: {
          summary: 'Create or fully replace a processor config (EvHub); a `version` makes it optimistic',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['processor_conf_info'], properties: { processor_conf_info: processor } } } },
          },
          responses: { '200': ok('Saved', { processor_conf_info: processor, signing }), '409': errorResponse('Stale version'), ...common },
        },
      },
      '/v1/processor/{dispatcher_id}': {
        get: {
          summary: 'Get a processor config with its version (EvHub), and its endpoint health (circuit breaker, automatic pause)',
          parameters: [pathParam('dispatcher_id', 'Processor id')],
          responses: { '200': ok('Found', { processor_conf_info: processor, signing, health }), '404': errorResponse('No such processor'), ...common },
        },
        delete: {
          summary: 'Delete a processor',
          parameters: [pathParam('dispatcher_id', 'Processor id'), queryParam('version', 'Delete only while the stored version is this one')],
          responses: { '200': ok('Deleted'), '404': errorResponse('No such processor'), '409': errorResponse('Stale version'), ...common },
        },
      },
      '/v1/filters/test': {
        post: {
          summary: "Try a processor's filter_tag and JSON filter on a sample event, with the router's own code",
          requestBody: { required: true, content: { 'application/json': { schema: filterTestBodySchema } } },
          responses: {
            '200': ok('Evaluated', {
              matched: { type: 'boolean' },
              reason: { type: 'string', enum: ['filtered_by_tag', 'filtered_by_filter'], description: 'Why it does not match' },
            }),
            ...common,
          },
        },
      },
      '/v1/transforms/test': {
        post: {
          summary:
            "Try a processor's transform (JSONata) on a sample event, with the dispatcher's own code and limits; a syntax error is a 400 with its position",
          requestBody: { required: true, content: { 'application/json': { schema: transformTestBodySchema } } },
          responses: { '200': ok('Evaluated: the transformed payload, or why a delivery would fail', transformTestAnswer), ...common },
        },
      },
      '/v1/processors/{dispatcher_id}/secret/rotate': {
        post: {
          summary: 'Rotate the webhook secret: a new one (given or generated) is signed with at once, the old one beside it until the overlap ends',
          parameters: [pathParam('dispatcher_id', 'Processor id')],
          requestBody: { required: false, content: { 'application/json': { schema: rotateSecretBodySchema } } },
          responses: {
            '200': ok('Rotated', { processor_conf_info: processor, signing }),
            '404': errorResponse('No such processor'),
            '409': errorResponse('Stale version'),
            ...common,
          },
        },
      },
      '/v1/processors': {
        get: {
          summary: 'List processors by dispatcher_id, keyset-paginated',
          parameters: [
            queryParam('app_id', 'Only this app'),
            queryParam('topic_id', 'Only this topic'),
            queryParam('cursor', 'next_cursor of the previous page'),
            queryParam('limit', 'Page size, 1-1000 (default 100)'),
          ],
          responses: {
            '200': ok('A page', {
              processors: { type: 'array', items: processor },
              health: {
                type: 'object',
                description:
                  'dispatcher_id → its health (as ProcessorHealth, without `instances`), beside the configs so a listed config stays a valid POST body',
                additionalProperties: health,
              },
              next_cursor: { type: ['string', 'null'] },
            }),
            ...common,
          },
        },
      },
      '/v1/events/{event_id}': {
        get: {
          summary: 'What happened to an event: its deliveries per processor and every attempt',
          parameters: [pathParam('event_id', 'Decimal 64-bit event id returned by Report')],
          responses: {
            '200': {
              description: 'Found',
              content: {
                'application/json': {
                  schema: {
                    allOf: [{ $ref: '#/components/schemas/EventView' }, { type: 'object', properties: { ret: { $ref: '#/components/schemas/Ret' } } }],
                  },
                },
              },
            },
            '404': errorResponse('No such event (never reported, or pruned by retention)'),
            ...common,
          },
        },
      },
      '/v1/api-keys': {
        post: {
          summary: 'Create an API key for Report (scoped to app ids and permissions report | broadcast | admin); the secret is in this answer only',
          requestBody: { required: true, content: { 'application/json': { schema: createApiKeyBodySchema } } },
          responses: {
            '201': ok('Created', {
              api_key: apiKeyViewSchema,
              secret: { type: 'string', description: 'eyk_<id>_<random>: send as `authorization: Bearer <secret>`; only its sha256 is stored' },
            }),
            ...common,
          },
        },
        get: {
          summary: 'List API keys (never secrets or hashes), revoked ones included unless include_revoked=false',
          parameters: [queryParam('include_revoked', 'true (default) or false')],
          responses: { '200': ok('The keys', { api_keys: { type: 'array', items: apiKeyViewSchema } }), ...common },
        },
      },
      '/v1/api-keys/{id}': {
        get: {
          summary: 'One API key (never its secret or hash)',
          parameters: [pathParam('id', 'Key id')],
          responses: { '200': ok('Found', { api_key: apiKeyViewSchema }), '404': errorResponse('No such key'), ...common },
        },
        delete: {
          summary: 'Revoke an API key (idempotent: revoking a revoked key answers it with its first revoked_at); producers stop accepting it within moments',
          parameters: [pathParam('id', 'Key id')],
          responses: { '200': ok('Revoked', { api_key: apiKeyViewSchema }), '404': errorResponse('No such key'), ...common },
        },
      },
      '/v1/events/{event_id}/schedule': {
        delete: {
          summary:
            "Cancel what is still to come for an event: every processor's repeat chain and every pending timer (delay, delay-process, retry, next occurrence)",
          parameters: [pathParam('event_id', 'Decimal 64-bit event id returned by Report')],
          responses: {
            '200': ok('Cancelled (also when nothing was left to cancel)', {
              cancelled_timers: { type: 'integer', description: 'Pending timers deleted' },
              cancelled_chains: { type: 'integer', description: 'Repeat chains stopped' },
            }),
            '404': errorResponse('No such event and no timer for it'),
            ...common,
          },
        },
      },
      ...replayOpenApiPaths(),
      ...historyOpenApiPaths(),
      ...processorHealthOpenApiPaths(ok, common),
      ...sourceOpenApiPaths(),
      ...watchOpenApiPaths(),
    },
  };
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  const document = openApiDocument();
  app.get('/openapi.json', async () => document);
}

/** The status record's shape as JSON Schema, generated from the schema readers parse it with. */
function statusChangeJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = toJsonSchema(statusChangeSchema);
  return schema;
}
