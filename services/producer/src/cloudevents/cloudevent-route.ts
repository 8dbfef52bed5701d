// `POST /v1/cloudevents` on the producer's HTTP port: a CloudEvent (binary or structured mode) becomes a
// Report (cloudevent-report.ts) and goes through the same ReportService as `/v1/report`: API keys,
// quotas, idempotency, publish and acknowledgement. Unlike EvHub's mirror, which answers 200 with the
// outcome in `ret.code`, this is a plain HTTP API: 202 `{event_id, ret}` once the broker acknowledged
// the event, and every refusal the HTTP status of its error row (400 malformed, 401/403 auth, 415 media
// type, 429 with Retry-After, 503) with `{ret, error}` naming the problem.
import type { FastifyInstance } from 'fastify';
import { isEventyardError, ResultCode, type EventyardError } from '@eventyard/core';
import type { ReportService } from '../report/report-service.ts';
import { retryAfterSeconds, toEdgeResult } from '../edge/edge-result.ts';
import { cloudEventToReport } from './cloudevent-report.ts';

export function registerCloudEventRoute(app: FastifyInstance, reports: ReportService): void {
  // Its own scope: the body is the event's data as sent (any content type), not JSON to parse.
  void app.register((scope: FastifyInstance, _options: unknown, done: (err?: Error) => void) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));
    scope.post('/v1/cloudevents', async (request, reply) => {
      let mapped: ReturnType<typeof cloudEventToReport>;
      try {
        mapped = cloudEventToReport({ headers: request.headers, body: Buffer.isBuffer(request.body) ? request.body : undefined });
      } catch (err) {
        if (!isEventyardError(err)) throw err;
        return refuse(reply, err, '');
      }
      const authorization = request.headers.authorization;
      const outcome = await reports.report(mapped.report, {
        edge: 'http',
        ...(authorization === undefined ? {} : { authorization }),
        clientAddress: request.ip,
        ...(mapped.traceParent === undefined ? {} : { traceParent: mapped.traceParent }),
      });
      if (outcome.error !== null) return refuse(reply, outcome.error, outcome.event_id);
      return reply.code(202).send({ event_id: outcome.event_id, ret: { code: ResultCode.OK, msg: '' }, ...(outcome.duplicate ? { duplicate: true } : {}) });
    });
    done();
  });
}

function refuse(
  reply: { code(status: number): { send(body: unknown): unknown }; header(name: string, value: string): unknown },
  error: EventyardError,
  eventId: string,
): unknown {
  const result = toEdgeResult(error);
  if (result.retryAfterMs !== null) reply.header('retry-after', retryAfterSeconds(result.retryAfterMs));
  return reply.code(error.httpStatus).send({ ...(eventId === '' ? {} : { event_id: eventId }), ret: result.ret, error: error.code });
}
