// `POST /v1/transforms/test`: runs a processor `transform` (JSONata) on a sample event with the
// dispatcher's own code and limits, so a user sees the payload (and headers) a delivery would carry, or
// why it would fail, before saving it. Nothing is stored. An expression that does not compile is the
// same 400 (EY_INVALID_TRANSFORM, with the position) as at save time; a failure on the sample is a 200
// with `ok: false` and the error a delivery would be dead-lettered with.
import { isEventyardError } from '@eventyard/core';
import { compileTransform, runTransform } from '@eventyard/evhub';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { OK } from './route-values.ts';
import { AdminErrors } from '../error-codes.ts';

interface TransformTestBody {
  transform: string;
  transform_headers?: boolean;
  event: { event_id?: string; app_id?: string; topic_id?: string; tags?: string[]; source?: string; data?: string; json?: unknown };
}

export const transformTestBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['transform', 'event'],
  properties: {
    transform: { type: 'string', description: 'JSONata expression, as in processor_conf_info.transform' },
    transform_headers: { type: 'boolean', description: 'The expression returns {"body": …, "headers": {…}}, as with processor_conf_info.transform_headers' },
    event: {
      type: 'object',
      additionalProperties: false,
      properties: {
        event_id: { type: 'string', description: '$event.event_id (default "0")' },
        app_id: { type: 'string', description: '$event.app_id' },
        topic_id: { type: 'string', description: '$event.topic_id' },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 1000, description: '$event.tags' },
        source: { type: 'string', description: '$event.source' },
        data: { type: 'string', description: 'Event.data as base64 (as in EvHub JSON)' },
        json: { description: 'Event.data given as JSON instead (encoded as UTF-8 JSON)' },
      },
    },
  },
} as const;

/** The 200 answer's fields besides `ret`, for the OpenAPI document. */
export const transformTestAnswer = {
  ok: { type: 'boolean', description: 'false: a delivery of this event would be dead-lettered with `error`' },
  body: { description: 'The transformed payload (ok: true)' },
  data: { type: 'string', description: 'The transformed payload as base64 (what Event.data becomes)' },
  headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Webhook headers set by the transform (transform_headers)' },
  error: {
    type: 'object',
    properties: { code: { type: 'string' }, msg: { type: 'string' } },
    description: 'Why the transform failed on this event (ok: false)',
  },
} as const;

export function registerTransformRoutes(app: FastifyInstance): void {
  app.post<{ Body: TransformTestBody }>('/v1/transforms/test', { schema: { body: transformTestBodySchema } }, async (request) => {
    const { transform, transform_headers, event } = request.body;
    if (event.data !== undefined && event.json !== undefined)
      throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'event: give data (base64) or json, not both');
    if (event.data !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(event.data))
      throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'event.data must be base64');
    // Throws ValidationError (EY_INVALID_TRANSFORM) with the syntax error and its position: a 400.
    const compiled = compileTransform(transform, 'transform');
    const data = event.json !== undefined ? Buffer.from(JSON.stringify(event.json), 'utf8') : Buffer.from(event.data ?? '', 'base64');
    const facts = {
      event_id: event.event_id ?? '0',
      app_id: event.app_id ?? '',
      topic_id: event.topic_id ?? '',
      tags: event.tags ?? [],
      source: event.source ?? '',
      dispatcher_id: '',
      retry_times: 0,
      repeat_times: 0,
    };
    try {
      const out = await runTransform(compiled, data, facts, { headers: transform_headers === true });
      return { ret: OK, ok: true, body: JSON.parse(out.data.toString('utf8')) as unknown, data: out.data.toString('base64'), headers: out.headers };
    } catch (err) {
      if (!isEventyardError(err)) throw err;
      return { ret: OK, ok: false, error: { code: err.code, msg: err.message } };
    }
  });
}
