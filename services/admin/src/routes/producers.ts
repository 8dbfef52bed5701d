// Producer config routes: EvHub's `POST /v1/producer` (full upsert, optimistic when it carries a
// `version`) and `GET /v1/producer/:app_id/:topic_id`, plus delete and a keyset-paginated list (what
// `eventyard apply` reads to find an app's producers).
import { deleteProducer, getProducer, listProducers, upsertProducer, type Knex, type ProducerInput } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { ProtocolType } from '@eventyard/proto';
import type { EgressGuard } from '@eventyard/core';
import { HttpError } from '../http/api-error.ts';
import { assertSavableTarget } from './route-egress.ts';
import { OK, parseLimit, parseVersion } from './route-values.ts';
import { producerConfInfoSchema } from '@eventyard/evhub';
import { AdminErrors } from '../error-codes.ts';

export interface ProducerRouteDeps {
  knex: Knex;
  /**
   * Checks `tx_address` as a registered check-back address: private networks allowed (check-back services
   * usually live inside them), cloud metadata, `unix:` and EY_EGRESS_DENY refused (400 EY_EGRESS_REFUSED).
   */
  egress: EgressGuard;
}

export function registerProducerRoutes(app: FastifyInstance, deps: ProducerRouteDeps): void {
  const { knex } = deps;

  app.post<{ Body: { producer_conf_info: ProducerInput & { version?: number; created_at?: string; updated_at?: string } } }>(
    '/v1/producer',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['producer_conf_info'],
          properties: { producer_conf_info: producerConfInfoSchema },
        },
      },
    },
    async (request) => {
      const { version, created_at: _created, updated_at: _updated, ...input } = request.body.producer_conf_info;
      if (typeof input.tx_address === 'string') {
        const transport = input.tx_protocol_type === ProtocolType.PROTOCOL_TYPE_HTTP_JSON ? 'http' : 'grpc';
        await assertSavableTarget(deps.egress, 'producer_conf_info.tx_address', input.tx_address, transport, { trusted: true });
      }
      const record = await upsertProducer(knex, input, version === undefined ? {} : { expectedVersion: version });
      return { ret: OK, producer_conf_info: record };
    },
  );

  app.get<{ Params: { app_id: string; topic_id: string } }>('/v1/producer/:app_id/:topic_id', async (request) => {
    const { app_id, topic_id } = request.params;
    const record = await getProducer(knex, app_id, topic_id);
    if (record === undefined) throw new HttpError(AdminErrors.EY_PRODUCER_NOT_FOUND, `producer "${app_id}/${topic_id}" not found`);
    return { ret: OK, producer_conf_info: record };
  });

  app.delete<{ Params: { app_id: string; topic_id: string }; Querystring: { version?: string } }>(
    '/v1/producer/:app_id/:topic_id',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'string' } } } } },
    async (request) => {
      const { app_id, topic_id } = request.params;
      const version = parseVersion(request.query.version);
      const deleted = await deleteProducer(knex, app_id, topic_id, version === undefined ? {} : { expectedVersion: version });
      if (!deleted) throw new HttpError(AdminErrors.EY_PRODUCER_NOT_FOUND, `producer "${app_id}/${topic_id}" not found`);
      return { ret: OK };
    },
  );

  app.get<{ Querystring: { app_id?: string; cursor?: string; limit?: string } }>(
    '/v1/producers',
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
      const rows = await listProducers(knex, {
        ...(app_id === undefined ? {} : { app_id }),
        ...(cursor === undefined || cursor === '' ? {} : { after: decodeCursor(cursor) }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { ret: OK, producers: page, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
    },
  );
}

/** The key of a page's last producer, opaque to clients: base64url of JSON [app_id, topic_id]. */
function encodeCursor(key: { app_id: string; topic_id: string }): string {
  return Buffer.from(JSON.stringify([key.app_id, key.topic_id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { app_id: string; topic_id: string } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string') {
    throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'cursor is not a next_cursor this route returned');
  }
  return { app_id: key[0], topic_id: key[1] };
}
