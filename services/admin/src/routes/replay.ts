// Replay routes: `POST /v1/events/:event_id/replay` replays one event now (to one processor, to the
// processors routing picks today, or to the ones it originally reached); `POST /v1/replay` creates a
// durable replay job over a query (or counts it, `dry_run`); `GET /v1/replays/:replay_id` shows a job's
// progress (`GET /v1/replays` lists the newest jobs) and `POST /v1/replays/:replay_id/cancel` stops it. Every replayed delivery is a manual attempt.
import {
  cancelReplayJob,
  countReplayMatches,
  createReplayJob,
  DELIVERY_STATUSES,
  getProcessor,
  getReplayJob,
  listReplayJobs,
  REPLAY_JOB_STATUSES,
  type EventRecord,
  type Knex,
  type ReplayJobRecord,
  type ReplayQuery,
} from '@eventyard/db';
import type { FastifyInstance } from 'fastify';
import { parseTimeValue } from '../history/query-params.ts';
import { HttpError } from '../http/api-error.ts';
import type { KafkaLink } from '../kafka/kafka-link.ts';
import { replayEvents } from '../replay/replay-batch.ts';
import { TargetPlanner, type TargetMode } from '../replay/replay-targets.ts';
import { isEventId } from './events.ts';
import { OK, parseLimit } from './route-values.ts';
import { CoreErrors } from '@eventyard/core';
import { AdminErrors } from '../error-codes.ts';

export interface ReplayRouteDeps {
  knex: Knex;
  kafka: KafkaLink;
  /** Tells the job runner a job was created, so it starts now rather than at its next poll. */
  wakeReplays?: () => void;
}

export const DEFAULT_RATE_PER_S = 100;
const MAX_RATE_PER_S = 10_000;
export const DEFAULT_REPLAY_LIMIT = 10_000;
const MAX_REPLAY_LIMIT = 1_000_000;
const MAX_EVENT_IDS = 10_000;

const idString = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
const timeString = { type: 'string', minLength: 1, maxLength: 64 };

/** The bulk query (the OpenAPI document shows it inside bulkReplayBodySchema). */
const replayQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    app_id: idString(255),
    topic_id: idString(255),
    dispatcher_id: idString(249),
    status: idString(64),
    delivery_status: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...DELIVERY_STATUSES] } },
    since: timeString,
    until: timeString,
    event_ids: { type: 'array', minItems: 1, maxItems: MAX_EVENT_IDS, items: { type: 'string', pattern: '^[0-9]{1,19}$' } },
  },
} as const;

/**
 * A POST without a body means "all defaults": fastify validates after preValidation, so an absent body
 * becomes `{}` here and the schema still refuses a body that is there and wrong.
 */
export async function absentBodyAsEmpty(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

export const rateSchema = { type: 'integer', minimum: 1, maximum: MAX_RATE_PER_S } as const;
export const limitSchema = { type: 'integer', minimum: 1, maximum: MAX_REPLAY_LIMIT } as const;

export const replayEventBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { dispatcher_id: idString(249), original_targets: { type: 'boolean' } },
} as const;

export const bulkReplayBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['query'],
  properties: { query: replayQuerySchema, dry_run: { type: 'boolean' }, rate_per_s: rateSchema, limit: limitSchema, original_targets: { type: 'boolean' } },
} as const;

interface BulkReplayBody {
  query: ReplayQuery;
  dry_run?: boolean;
  rate_per_s?: number;
  limit?: number;
  original_targets?: boolean;
}

export function registerReplayRoutes(app: FastifyInstance, deps: ReplayRouteDeps): void {
  const { knex, kafka } = deps;

  app.post<{ Params: { event_id: string }; Body: { dispatcher_id?: string; original_targets?: boolean } | undefined }>(
    '/v1/events/:event_id/replay',
    { schema: { body: replayEventBodySchema }, preValidation: absentBodyAsEmpty },
    async (request) => {
      const eventId = canonicalEventId(request.params.event_id);
      const body = request.body ?? {};
      if (body.dispatcher_id !== undefined && body.original_targets === true) {
        throw new HttpError(
          AdminErrors.EY_INVALID_REQUEST,
          'dispatcher_id and original_targets exclude each other: name one processor, or replay to the original targets',
        );
      }
      const event = await getEvent(knex, eventId);
      if (event === undefined) throw new HttpError(AdminErrors.EY_EVENT_NOT_FOUND, `event ${eventId} not found`);
      if (event.payload_pruned_at !== null) throw prunedError(event);
      let mode: TargetMode = body.original_targets === true ? { kind: 'original' } : { kind: 'routing' };
      if (body.dispatcher_id !== undefined) {
        const processor = await getProcessor(knex, body.dispatcher_id);
        if (processor === undefined) throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `processor "${body.dispatcher_id}" not found`);
        if (processor.app_id !== event.app_id || processor.topic_id !== event.topic_id) {
          throw new HttpError(
            AdminErrors.EY_PROCESSOR_NOT_SUBSCRIBED,
            `dispatcher_id: processor "${processor.dispatcher_id}" subscribes to ${processor.app_id}/${processor.topic_id}, not to event ${eventId}'s ${event.app_id}/${event.topic_id}`,
          );
        }
        mode = { kind: 'processor', dispatcherId: processor.dispatcher_id };
      }
      const [result] = await replayEvents({ knex, kafka }, [event], new TargetPlanner(knex, mode));
      // Not the caller's mistake: a stored row that does not encode is a server fault (500, logged).
      if (result?.outcome === 'unencodable') throw result.error;
      const replayed = result === undefined || result.outcome === 'pruned' ? [] : result.replayed;
      const skipped = result === undefined || result.outcome === 'pruned' ? [] : result.skipped;
      request.log.info({ event_id: eventId, replayed, skipped: skipped.length }, 'event replayed');
      return { ret: { code: 0, msg: `replayed to ${replayed.length} processor(s)` }, event_id: eventId, replayed, skipped };
    },
  );

  app.post<{ Body: BulkReplayBody }>('/v1/replay', { schema: { body: bulkReplayBodySchema } }, async (request, reply) => {
    const {
      query,
      dry_run: dryRun = false,
      rate_per_s: rate = DEFAULT_RATE_PER_S,
      limit = DEFAULT_REPLAY_LIMIT,
      original_targets: originalTargets = false,
    } = request.body;
    const normalized = normalizeQuery(query);
    if (Object.keys(normalized).length === 0) {
      throw new HttpError(AdminErrors.EY_REPLAY_QUERY_EMPTY, 'query is empty: replaying every event must be asked for explicitly, e.g. with query.since');
    }
    if (normalized.dispatcher_id !== undefined && originalTargets) {
      throw new HttpError(
        AdminErrors.EY_INVALID_REQUEST,
        'query.dispatcher_id and original_targets exclude each other: a query naming a processor replays to that processor',
      );
    }
    if (normalized.dispatcher_id !== undefined && (await getProcessor(knex, normalized.dispatcher_id)) === undefined) {
      throw new HttpError(AdminErrors.EY_PROCESSOR_NOT_FOUND, `query.dispatcher_id: processor "${normalized.dispatcher_id}" not found`);
    }
    return createJobReply({
      knex,
      wake: deps.wakeReplays,
      dryRun,
      reply,
      input: { kind: 'query', query: normalized, original_targets: originalTargets, rate_per_s: rate, limit },
    });
  });

  app.get<{ Querystring: { status?: (typeof REPLAY_JOB_STATUSES)[number]; limit?: string } }>(
    '/v1/replays',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: [...REPLAY_JOB_STATUSES] }, limit: { type: 'string' } },
        },
      },
    },
    async (request) => {
      const { status } = request.query;
      const jobs = await listReplayJobs(knex, { limit: parseLimit(request.query.limit), ...(status === undefined ? {} : { status }) });
      return { ret: OK, replays: jobs.map(replayView) };
    },
  );

  app.get<{ Params: { replay_id: string } }>('/v1/replays/:replay_id', async (request) => {
    const job = await getReplayJob(knex, request.params.replay_id);
    if (job === undefined) throw replayNotFound(request.params.replay_id);
    return { ret: OK, replay: replayView(job) };
  });

  app.post<{ Params: { replay_id: string } }>('/v1/replays/:replay_id/cancel', async (request) => {
    const job = await cancelReplayJob(knex, request.params.replay_id);
    if (job === undefined) throw replayNotFound(request.params.replay_id);
    request.log.info({ replay_id: job.replay_id, status: job.status }, 'replay job cancel asked');
    return { ret: OK, replay: replayView(job) };
  });
}

/** Counts (dry run) or creates the job and answers 202; shared by bulk replay and redrive. */
export async function createJobReply(options: {
  knex: Knex;
  wake: (() => void) | undefined;
  dryRun: boolean;
  reply: { code(status: number): unknown };
  input: Parameters<typeof createReplayJob>[1];
}): Promise<Record<string, unknown>> {
  const { knex, input } = options;
  if (options.dryRun) {
    const { matched } = await countReplayMatches(knex, input.query, input.limit);
    return { ret: { code: 0, msg: `dry run: ${matched} event(s) match` }, matched };
  }
  const job = await createReplayJob(knex, input);
  options.wake?.();
  options.reply.code(202);
  return { ret: { code: 0, msg: `replay ${job.replay_id} accepted for ${job.matched} event(s)` }, replay_id: job.replay_id, matched: job.matched };
}

/** The public shape of a job. */
function replayView(job: ReplayJobRecord): Record<string, unknown> {
  return {
    replay_id: job.replay_id,
    kind: job.kind,
    status: job.status,
    query: job.query,
    original_targets: job.original_targets,
    rate_per_s: job.rate_per_s,
    matched: job.matched,
    replayed: job.replayed,
    skipped: job.skipped,
    failed: job.failed,
    cursor: job.cursor,
    created_at: job.created_at,
    updated_at: job.updated_at,
    finished_at: job.finished_at,
    error: job.error,
  };
}

/** Checks the times, canonicalises event ids, and drops nothing else (the schema already refused unknown fields). */
export function normalizeQuery(query: ReplayQuery, prefix = 'query.'): ReplayQuery {
  const out: ReplayQuery = { ...query };
  for (const name of ['since', 'until'] as const) {
    const value = query[name];
    if (value === undefined) continue;
    // The history routes' rule, so a window that GET /v1/events accepts is the one a replay takes.
    out[name] = parseTimeValue(`${prefix}${name}`, value).toISOString();
  }
  if (out.since !== undefined && out.until !== undefined && out.since >= out.until) {
    throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `${prefix}since must be before ${prefix}until`);
  }
  if (query.event_ids !== undefined) {
    const ids = query.event_ids.map((id, i) => {
      if (!isEventId(id)) throw new HttpError(CoreErrors.EY_INVALID_EVENT_ID, `${prefix}event_ids.${i} must be a positive decimal 64-bit integer`);
      return BigInt(id).toString();
    });
    out.event_ids = [...new Set(ids)];
  }
  return out;
}

async function getEvent(knex: Knex, eventId: string): Promise<EventRecord | undefined> {
  const row = (await knex('events').where({ event_id: eventId }).first()) as EventRecord | undefined;
  return row === undefined ? undefined : { ...row, event_id: String(row.event_id) };
}

function prunedError(event: EventRecord): HttpError {
  const at = event.payload_pruned_at?.toISOString() ?? 'an unknown time';
  return new HttpError(AdminErrors.EY_PAYLOAD_PRUNED, `event ${event.event_id}: payload was pruned by retention at ${at}; it cannot be replayed`);
}

function replayNotFound(replayId: string): HttpError {
  return new HttpError(AdminErrors.EY_REPLAY_NOT_FOUND, `replay "${replayId}" not found`);
}

function canonicalEventId(eventId: string): string {
  if (!isEventId(eventId)) throw new HttpError(CoreErrors.EY_INVALID_EVENT_ID, 'event_id must be a positive decimal 64-bit integer');
  return BigInt(eventId).toString();
}
