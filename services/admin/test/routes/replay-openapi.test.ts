// The OpenAPI document lists every replay, redrive and pause/resume route, with the request schemas the
// routes validate with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdmin } from '../fixture.ts';
import { redriveBodySchema } from '../../src/routes/processor-actions.ts';
import { bulkReplayBodySchema, replayEventBodySchema } from '../../src/routes/replay.ts';

test('/openapi.json documents the replay routes', async (t) => {
  const { call } = await startAdmin(t);
  const doc = (await call('GET', '/openapi.json')).body;
  const expected: Array<[string, string, unknown]> = [
    ['/v1/events/{event_id}/replay', 'post', replayEventBodySchema],
    ['/v1/replay', 'post', bulkReplayBodySchema],
    ['/v1/replays/{replay_id}', 'get', undefined],
    ['/v1/replays/{replay_id}/cancel', 'post', undefined],
    ['/v1/processors/{dispatcher_id}/redrive', 'post', redriveBodySchema],
    ['/v1/processors/{dispatcher_id}/pause', 'post', undefined],
    ['/v1/processors/{dispatcher_id}/resume', 'post', undefined],
  ];
  for (const [path, method, schema] of expected) {
    const operation = doc.paths[path]?.[method];
    assert.ok(operation !== undefined, `${method.toUpperCase()} ${path} documented`);
    assert.ok(
      Object.keys(operation.responses).some((status) => status.startsWith('2')),
      `${path} has a success response`,
    );
    if (schema !== undefined) assert.deepEqual(operation.requestBody.content['application/json'].schema, JSON.parse(JSON.stringify(schema)));
  }
});
