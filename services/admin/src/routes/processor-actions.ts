// Operator actions on one processor: `pause` / `resume` set and clear its `paused` flag (the dispatcher
// stops consuming its delivery topic, so deliveries wait there until resume; EvHub's `is_stop`, which
// makes the router skip it, is left alone), and `redrive` gives every `dead` delivery of it a new manual
// attempt through a replay job, so GET /v1/replays/:replay_id follows its progress, and `secret/rotate`
// rotates its webhook secret with an overlap (secret-rotate.ts).
import { getProcessor, setProcessorFlags, type Knex } from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { processorView } from './processors.ts';
import { registerSecretRotateRoute } from './secret-rotate.ts';
import { absentBodyAsEmpty, createJobReply, DEFAULT_RATE_PER_S, DEFAULT_REPLAY_LIMIT, limitSchema, normalizeQuery, rateSchema } from './replay.ts';
import { AdminErrors } from '../error-codes.ts';

export interface ProcessorActionDeps {
  knex: Knex;
  /** Tells the job runner a job was created. */
  wakeReplays?: () => void;
  /** Rotation overlap when a request names none, seconds. @default 86400 (EY_SECRET_ROTATION_OVERLAP_S) */
  secretRotationOverlapS?: number;
}

export const DEFAULT_ROTATION_OVERLAP_S = 24 * 3600;

const flagBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 0, maximum: 2_147_483_647 } },
} as const;

export const redriveBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dry_run: { type: 'boolean' },
    since: { type: 'string', minLength: 1, maxLength: 64 },
    until: { type: 'string', minLength: 1, maxLength: 64 },
    limit: limitSchema,
    rate_per_s: rateSchema,
  },
} as const;

interface RedriveBody {
  dry_run?: boolean;
  since?: string;
  until?: string;
  limit?: number;
  rate_per_s?: number;
}

export function registerProcessorActionRoutes(app: FastifyInstance, deps: ProcessorActionDeps): void {
  const { knex } = deps;

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post<{ Params: { dispatcher_id: string }; Body: { version?: number } | undefined }>(
      `/v1/processors/:dispatcher_id/${action}`,
      { schema: { body: flagBodySchema }, preValidation: absentBodyAsEmpty },
      async (request) => {
        const { dispatcher_id: dispatcherId } = request.params;
        const version = request.body?.version;
        // setProcessorFlags bumps `version`, and the change reaches the dispatchers through NOTIFY.
        const record = await setProcessorFlags(knex, dispatcherId, { paused }, version === undefined ? {} : { expectedVersion: version });
        if (record === undefined) throw notFound(dispatcherId);
        request.log.info({ dispatcher_id: dispatcherId, paused, version: record.version }, `processor ${action}d`);
        return { ret: actionRet(action), processor_conf_info: processorView(record) };
      },
    );
  }

  app.post<{ Params: { dispatcher_id: string }; Body: RedriveBody | undefined }>(
    '/v1/processors/:dispatcher_id/redrive',
    { schema: { body: redriveBodySchema }, preValidation: absentBodyAsEmpty },
    async (request, reply) => {
      const { dispatcher_id: dispatcherId } = request.params;
      const body = request.body ?? {};
      const processor = await getProcessor(knex, dispatcherId);
      if (processor === undefined) throw notFound(dispatcherId);
      const query = normalizeQuery(
        {
          dispatcher_id: dispatcherId,
          delivery_status: ['dead'],
          ...(body.since === undefined ? {} : { since: body.since }),
          ...(body.until === undefined ? {} : { until: body.until }),
        },
        '',
      );
      return createJobReply({
        knex,
        wake: deps.wakeReplays,
        dryRun: body.dry_run ?? false,
        reply,
        input: { kind: 'redrive', query, rate_per_s: body.rate_per_s ?? DEFAULT_RATE_PER_S, limit: body.limit ?? DEFAULT_REPLAY_LIMIT },
      });
    },
  );

  registerSecretRotateRoute(app, { knex, defaultOverlapS: deps.secretRotationOverlapS ?? DEFAULT_ROTATION_OVERLAP_S });
}

function actionRet(action: string): { code: number; msg: string } {
  return { code: 0, msg: action === 'pause' ? 'paused: deliveries wait in the delivery topic until resume' : 'resumed' };
}

function notFound(dispatcherId: string): HttpError {
  return new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${dispatcherId}" not found`);
}
