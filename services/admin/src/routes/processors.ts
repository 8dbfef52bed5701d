// Processor config routes: EvHub's `POST /v1/processor` (full upsert, optimistic when it carries a
// `version`) and `GET /v1/processor/:dispatcher_id`, plus delete and a keyset-paginated list.
// Secrets are never returned: GET shows "[redacted]" (and a `signing` object with the secret's
// fingerprint and any rotation overlap), and POSTing "[redacted]" back keeps the stored value. The one
// exception is a webhook secret generated for a new httpSend processor: its creation answer carries it
// once, in `signing.webhook_secret`.
import {
  deleteProcessor,
  getProcessor,
  listProcessors,
  saveProcessor,
  type Knex,
  type ProcessorHealth,
  type ProcessorInput,
  type ProcessorRecord,
} from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import type { EgressGuard } from '@eventyard/core';
import { HttpError } from '../http/api-error.ts';
import { assertSavableTarget } from './route-egress.ts';
import { OK, parseLimit, parseVersion } from './route-values.ts';
import { processorConfInfoSchema, SECRET_REDACTED, secretFingerprint } from '@eventyard/evhub';
import { AdminErrors } from '../error-codes.ts';
import { healthOf } from './processor-health.ts';

export const REDACTED = SECRET_REDACTED;
const SECRET_FIELDS = ['webhook_secret', 'auth_token'] as const;

export interface ProcessorRouteDeps {
  knex: Knex;
  /** Checks a processor's JSON `filter` before it is saved; throws a ValidationError naming the field. */
  validateFilter: (filter: unknown, field: string) => void;
  /** Refuses an `addr` the dispatcher would never be allowed to connect to (400 EY_EGRESS_REFUSED). */
  egress: EgressGuard;
}

export function processorView(record: ProcessorRecord): Record<string, unknown> {
  const { webhook_secret_previous: _previous, webhook_secret_previous_expires_at: _expires, ...view } = record as ProcessorRecord & Record<string, unknown>;
  for (const name of SECRET_FIELDS) if (record[name] !== null) view[name] = REDACTED;
  return view;
}

/**
 * What may be shown of a processor's webhook signing: fingerprints (never the secrets), the rotation
 * overlap while it lasts, and `webhook_secret` itself only when the caller has just had it generated.
 * Null when the processor has no webhook secret.
 */
export function signingView(record: ProcessorRecord, shownOnce: string | null = null, nowMs = Date.now()): Record<string, unknown> | null {
  if (record.webhook_secret === null) return null;
  const expires = record.webhook_secret_previous_expires_at;
  const overlapping = record.webhook_secret_previous !== null && expires !== null && expires.getTime() > nowMs;
  return {
    ...(shownOnce === null ? {} : { webhook_secret: shownOnce }),
    fingerprint: secretFingerprint(record.webhook_secret),
    previous_fingerprint: overlapping && record.webhook_secret_previous !== null ? secretFingerprint(record.webhook_secret_previous) : null,
    previous_expires_at: overlapping ? expires.toISOString() : null,
  };
}

export function registerProcessorRoutes(app: FastifyInstance, deps: ProcessorRouteDeps): void {
  const { knex } = deps;

  app.post<{ Body: { processor_conf_info: ProcessorInput & { version?: number; created_at?: string; updated_at?: string } } }>(
    '/v1/processor',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['processor_conf_info'],
          properties: { processor_conf_info: processorConfInfoSchema },
        },
      },
    },
    async (request) => {
      const { version, created_at: _created, updated_at: _updated, ...input } = request.body.processor_conf_info;
      if (input.filter !== undefined && input.filter !== null) deps.validateFilter(input.filter, 'processor_conf_info.filter');
      if (typeof input.addr === 'string') {
        await assertSavableTarget(deps.egress, 'processor_conf_info.addr', input.addr, input.protocol_type === 'httpSend' ? 'http' : 'grpc');
      }
      // "[redacted]" is resolved by the repository, in the transaction that writes the row.
      const saved = await saveProcessor(knex, input, version === undefined ? {} : { expectedVersion: version });
      const signing = signingView(saved.record, saved.generatedWebhookSecret);
      return { ret: OK, processor_conf_info: processorView(saved.record), ...(signing === null ? {} : { signing }) };
    },
  );

  app.get<{ Params: { dispatcher_id: string } }>('/v1/processor/:dispatcher_id', async (request) => {
    const record = await getProcessor(knex, request.params.dispatcher_id);
    if (record === undefined) throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${request.params.dispatcher_id}" not found`);
    const signing = signingView(record);
    const health = (await healthOf(knex, [record.dispatcher_id])).get(record.dispatcher_id);
    return { ret: OK, processor_conf_info: processorView(record), ...(signing === null ? {} : { signing }), health };
  });

  app.delete<{ Params: { dispatcher_id: string }; Querystring: { version?: string } }>(
    '/v1/processor/:dispatcher_id',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'string' } } } } },
    async (request) => {
      const version = parseVersion(request.query.version);
      const deleted = await deleteProcessor(knex, request.params.dispatcher_id, version === undefined ? {} : { expectedVersion: version });
      if (!deleted) throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${request.params.dispatcher_id}" not found`);
      return { ret: OK };
    },
  );

  app.get<{ Querystring: { app_id?: string; topic_id?: string; cursor?: string; limit?: string } }>(
    '/v1/processors',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { app_id: { type: 'string' }, topic_id: { type: 'string' }, cursor: { type: 'string' }, limit: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const { app_id, topic_id, cursor } = request.query;
      const limit = parseLimit(request.query.limit);
      // One extra row says whether another page exists without a count query.
      const rows = await listProcessors(knex, {
        ...(app_id === undefined ? {} : { app_id }),
        ...(topic_id === undefined ? {} : { topic_id }),
        ...(cursor === undefined || cursor === '' ? {} : { after: cursor }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      // Beside the configs, not in them: a listed config stays a valid POST body.
      const health = await healthOf(
        knex,
        page.map((p) => p.dispatcher_id),
      );
      return {
        ret: OK,
        processors: page.map(processorView),
        health: Object.fromEntries([...health].map(([id, h]) => [id, summary(h)])),
        next_cursor: rows.length > limit && last !== undefined ? last.dispatcher_id : null,
      };
    },
  );
}

/** The list's health entry: the aggregate without the per-instance rows. */
function summary(health: ProcessorHealth): Omit<ProcessorHealth, 'instances'> {
  const { instances: _instances, ...rest } = health;
  return rest;
}
