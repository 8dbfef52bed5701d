// Source routes: Kafka topics whose records become events (issue #19). `POST /v1/sources` creates or
// fully replaces one (optimistic when it carries a `version`), GET lists (keyset-paginated) or reads one,
// DELETE removes one, pause/resume flip `paused`. The producer service follows the table (config
// trigger → NOTIFY), so each change takes effect there without a restart. The OpenAPI paths are built
// here from the same schemas (routes/openapi.ts spreads them in).
import { deleteSource, getSource, listSources, setSourcePaused, upsertSource, type Knex } from '@eventyard/db';
import { sourceSchema } from '@eventyard/evhub';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { AdminErrors } from '../error-codes.ts';
import { absentBodyAsEmpty } from './replay.ts';
import { OK, parseLimit, parseVersion } from './route-values.ts';

export interface SourceRouteDeps {
  knex: Knex;
}

const flagBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 0, maximum: 2_147_483_647 } },
} as const;

export function registerSourceRoutes(app: FastifyInstance, deps: SourceRouteDeps): void {
  const { knex } = deps;

  app.post<{ Body: Record<string, unknown> & { version?: number } }>('/v1/sources', { schema: { body: sourceSchema } }, async (request) => {
    const { version, created_at: _created, updated_at: _updated, ...input } = request.body;
    const record = await upsertSource(knex, input, version === undefined ? {} : { expectedVersion: version });
    request.log.info({ source_id: record.source_id, version: record.version }, 'source saved');
    return { ret: OK, source: record };
  });

  app.get<{ Querystring: { app_id?: string; cursor?: string; limit?: string } }>(
    '/v1/sources',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { app_id: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const { app_id, cursor } = request.query;
      const limit = parseLimit(request.query.limit);
      // One extra row says whether another page exists without a count query.
      const rows = await listSources(knex, {
        ...(app_id === undefined ? {} : { app_id }),
        ...(cursor === undefined || cursor === '' ? {} : { after: cursor }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { ret: OK, sources: page, next_cursor: rows.length > limit ? (page.at(-1)?.source_id ?? null) : null };
    },
  );

  app.get<{ Params: { source_id: string } }>('/v1/sources/:source_id', async (request) => {
    const record = await getSource(knex, request.params.source_id);
    if (record === undefined) throw notFound(request.params.source_id);
    return { ret: OK, source: record };
  });

  app.delete<{ Params: { source_id: string }; Querystring: { version?: string } }>(
    '/v1/sources/:source_id',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'string' } } } } },
    async (request) => {
      const version = parseVersion(request.query.version);
      const deleted = await deleteSource(knex, request.params.source_id, version === undefined ? {} : { expectedVersion: version });
      if (!deleted) throw notFound(request.params.source_id);
      request.log.info({ source_id: request.params.source_id }, 'source deleted');
      return { ret: OK };
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post<{ Params: { source_id: string }; Body: { version?: number } | undefined }>(
      `/v1/sources/:source_id/${action}`,
      { schema: { body: flagBodySchema }, preValidation: absentBodyAsEmpty },
      async (request) => {
        const version = request.body?.version;
        const record = await setSourcePaused(knex, request.params.source_id, paused, version === undefined ? {} : { expectedVersion: version });
        if (record === undefined) throw notFound(request.params.source_id);
        request.log.info({ source_id: record.source_id, paused, version: record.version }, `source ${action}d`);
        return { ret: { code: 0, msg: paused ? 'paused: records wait in the topic until resume' : 'resumed' }, source: record };
      },
    );
  }
}

function notFound(sourceId: string): HttpError {
  return new HttpError(AdminErrors.EY_SOURCE_NOT_FOUND, `source "${sourceId}" not found`);
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ok = (description: string, properties: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', required: ['ret'], properties: { ret: { $ref: '#/components/schemas/Ret' }, ...properties } } } },
});
const pathParam = { name: 'source_id', in: 'path', required: true, schema: { type: 'string' }, description: 'Source id' };
const queryParam = (name: string, description: string) => ({ name, in: 'query', required: false, schema: { type: 'string' }, description });
const common = {
  '400': errorResponse('Invalid input; `ret.msg` names the field'),
  '401': errorResponse('Missing or wrong admin token (when EY_ADMIN_TOKEN is set)'),
  '500': errorResponse('Internal error'),
};

/** The OpenAPI paths of the source routes (with the Source schema inline). */
export function sourceOpenApiPaths(): Record<string, unknown> {
  const source = sourceSchema;
  const found = { '404': errorResponse('No such source'), ...common };
  const action = (verb: string, summary: string) => ({
    post: {
      summary,
      parameters: [pathParam],
      requestBody: { required: false, content: { 'application/json': { schema: flagBodySchema } } },
      responses: { '200': ok(verb, { source }), '409': errorResponse('Stale version'), ...found },
    },
  });
  return {
    '/v1/sources': {
      post: {
        summary: 'Create or fully replace a source: a Kafka topic whose records become events of app_id/topic_id; a `version` makes it optimistic',
        requestBody: { required: true, content: { 'application/json': { schema: source } } },
        responses: { '200': ok('Saved (the producer picks the change up without a restart)', { source }), '409': errorResponse('Stale version'), ...common },
      },
      get: {
        summary: 'List sources by source_id, keyset-paginated',
        parameters: [
          queryParam('app_id', 'Only this app'),
          queryParam('cursor', 'next_cursor of the previous page'),
          queryParam('limit', 'Page size, 1-1000 (default 100)'),
        ],
        responses: { '200': ok('A page', { sources: { type: 'array', items: source }, next_cursor: { type: ['string', 'null'] } }), ...common },
      },
    },
    '/v1/sources/{source_id}': {
      get: { summary: 'Get a source with its version', parameters: [pathParam], responses: { '200': ok('Found', { source }), ...found } },
      delete: {
        summary: 'Delete a source: its consumer stops (its group keeps its committed offsets in Kafka)',
        parameters: [pathParam, queryParam('version', 'Delete only while the stored version is this one')],
        responses: { '200': ok('Deleted'), '409': errorResponse('Stale version'), ...found },
      },
    },
    '/v1/sources/{source_id}/pause': action('Paused', 'Stop reading a source; records wait in its topic (the group keeps its offsets)'),
    '/v1/sources/{source_id}/resume': action('Resumed', 'Resume reading a paused source from its committed offsets'),
  };
}
