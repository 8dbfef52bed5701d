// `POST /v1/filters/test`: tries a processor's filters on a sample event with the router's own code
// (compile, then evaluate), so a user sees what a filter will do, and why it drops an event, before
// saving it. Nothing is stored; an invalid filter is the same 400 naming the path as at save time.
import { compileProcessorFilters, evaluateEvent, prepareEvent } from '@eventyard/evhub';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/api-error.ts';
import { OK } from './route-values.ts';
import { AdminErrors } from '../error-codes.ts';

interface FilterTestBody {
  filter_tag?: Record<string, boolean>;
  filter?: Record<string, unknown>;
  event: { tags?: string[]; data?: string; json?: unknown };
}

export const filterTestBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['event'],
  properties: {
    filter_tag: { type: 'object', description: "EvHub's filter_tag: tag → true (wanted) / false (excluded)" },
    filter: { type: 'object', description: 'JSON filter on the payload ($eq $neq $gt $gte $lt $lte $in $nin $exist $regex $and $or)' },
    event: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tags: { type: 'array', items: { type: 'string' }, maxItems: 1000, description: 'event_comm.event_tag.tag_list' },
        data: { type: 'string', description: 'Event.data as base64 (as in EvHub JSON)' },
        json: { description: 'Event.data given as JSON instead (encoded as UTF-8 JSON)' },
      },
    },
  },
} as const;

export function registerFilterRoutes(app: FastifyInstance): void {
  app.post<{ Body: FilterTestBody }>('/v1/filters/test', { schema: { body: filterTestBodySchema } }, async (request) => {
    const { filter_tag, filter, event } = request.body;
    if (event.data !== undefined && event.json !== undefined)
      throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'event: give data (base64) or json, not both');
    if (event.data !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(event.data))
      throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'event.data must be base64');
    // Throws ValidationError (EY_INVALID_FILTER / EY_INVALID_FILTER_TAG) naming the bad path: a 400.
    const filters = compileProcessorFilters({ filter_tag, filter });
    const data = event.json !== undefined ? Buffer.from(JSON.stringify(event.json), 'utf8') : Buffer.from(event.data ?? '', 'base64');
    const decision = evaluateEvent(filters, prepareEvent({ tags: event.tags ?? [], data }));
    return decision.matched
      ? { ret: OK, matched: true }
      : { ret: OK, matched: false, reason: decision.reason === 'tag' ? 'filtered_by_tag' : 'filtered_by_filter' };
  });
}
