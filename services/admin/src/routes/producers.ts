// Producer config routes: EvHub's `POST /v1/producer` (full upsert, optimistic when it carries a
// `version`) and `GET /v1/producer/:app_id/:topic_id`.
import { getProducer, upsertProducer, type Knex, type ProducerInput } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { OK } from './route-values.ts';
import { producerConfInfoSchema } from './config-schemas.ts';

export function registerProducerRoutes(app: FastifyInstance, deps: { knex: Knex }): void {
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
      const record = await upsertProducer(knex, input, version === undefined ? {} : { expectedVersion: version });
      return { ret: OK, producer_conf_info: record };
    },
  );

  app.get<{ Params: { app_id: string; topic_id: string } }>('/v1/producer/:app_id/:topic_id', async (request) => {
    const { app_id, topic_id } = request.params;
    const record = await getProducer(knex, app_id, topic_id);
    if (record === undefined) throw new HttpError(404, 'EY_PRODUCER_NOT_FOUND', `producer "${app_id}/${topic_id}" not found`);
    return { ret: OK, producer_conf_info: record };
  });
}
