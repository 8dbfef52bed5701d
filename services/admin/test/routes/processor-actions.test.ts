// POST /v1/processors/:dispatcher_id/{pause,resume,redrive}: the paused flag and its version, and a
// redrive that replays exactly the processor's dead deliveries (real broker, the app's job runner).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplayAdmin } from '../replay/replay-fixture.ts';

test('pause and resume flip the paused flag and bump the version', async (t) => {
  const f = await startReplayAdmin(t, { replayRunner: false });
  const saved = await f.processor({ dispatcher_id: 'billing' });

  const paused = await f.call('POST', '/v1/processors/billing/pause');
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body.ret.code, 0);
  assert.equal(paused.body.processor_conf_info.paused, true);
  assert.equal(paused.body.processor_conf_info.is_stop, false, 'is_stop is EvHub’s and stays as it was');
  assert.equal(paused.body.processor_conf_info.version, saved.version + 1);
  assert.equal((await f.call('GET', '/v1/processor/billing')).body.processor_conf_info.paused, true);

  const resumed = await f.call('POST', '/v1/processors/billing/resume', {});
  assert.equal(resumed.status, 200);
  assert.equal(resumed.body.processor_conf_info.paused, false);
  assert.equal(resumed.body.processor_conf_info.version, saved.version + 2);

  const optimistic = await f.call('POST', '/v1/processors/billing/pause', { version: saved.version + 2 });
  assert.equal(optimistic.status, 200);
  assert.equal(optimistic.body.processor_conf_info.version, saved.version + 3);
  const stale = await f.call('POST', '/v1/processors/billing/resume', { version: saved.version });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error, 'EY_VERSION_CONFLICT');
  assert.equal((await f.call('GET', '/v1/processor/billing')).body.processor_conf_info.paused, true, 'a stale resume changes nothing');

  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['/v1/processors/nobody/pause', undefined, 404, 'EY_PROCESSOR_NOT_FOUND', /processor "nobody" not found/],
    ['/v1/processors/nobody/resume', undefined, 404, 'EY_PROCESSOR_NOT_FOUND', /processor "nobody" not found/],
    ['/v1/processors/billing/pause', { paused: true }, 400, 'EY_INVALID_REQUEST', /paused is not a known field/],
    ['/v1/processors/billing/pause', { version: '3' }, 400, 'EY_INVALID_REQUEST', /version must be an integer/],
    ['/v1/processors/billing/resume', '{"version"', 400, 'EY_INVALID_JSON', /not valid JSON/],
  ];
  for (const [path, body, status, code, msg] of cases) {
    const res = await f.call('POST', path, body);
    assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, code);
    assert.match(res.body.ret.msg, msg);
  }
});

test('redrive gives every dead delivery of the processor a new manual attempt', async (t) => {
  const f = await startReplayAdmin(t);
  await f.processor({ dispatcher_id: 'billing' });
  await f.processor({ dispatcher_id: 'audit' });
  await f.events(['301', '302', '303', '304', '305'].map((event_id) => ({ event_id, created_at: new Date(`2026-05-0${event_id.at(-1)}T00:00:00Z`) })));
  await f.deliveries([
    { event_id: '301', dispatcher_id: 'billing', status: 'dead' },
    { event_id: '302', dispatcher_id: 'billing', status: 'dead' },
    { event_id: '303', dispatcher_id: 'billing', status: 'succeeded' },
    { event_id: '304', dispatcher_id: 'audit', status: 'dead' },
    { event_id: '305', dispatcher_id: 'billing', status: 'dead' },
    { event_id: '305', dispatcher_id: 'audit', status: 'dead' },
  ]);

  const dry = await f.call('POST', '/v1/processors/billing/redrive', { dry_run: true });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.matched, 3);
  const ranged = await f.call('POST', '/v1/processors/billing/redrive', { dry_run: true, since: '2026-05-02T00:00:00Z', until: '2026-05-05T00:00:00Z' });
  assert.equal(ranged.body.matched, 1, 'only 302 of 301..305 in [05-02, 05-05)');
  assert.equal((await f.db.knex('replay_jobs').count<Array<{ count: string }>>('* as count'))[0]?.count, '0');

  const res = await f.call('POST', '/v1/processors/billing/redrive');
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal(res.body.matched, 3);
  let job: Record<string, unknown> = {};
  await f.waitFor(async () => (job = (await f.call('GET', `/v1/replays/${res.body.replay_id}`)).body.replay).status === 'succeeded', 30_000, 'redrive done');
  assert.equal(job.kind, 'redrive');
  assert.equal(job.replayed, 3);
  const tasks = await f.tasks('billing');
  assert.deepEqual(tasks.map((r) => r.task.event_id).sort(), ['301', '302', '305']);
  for (const { task } of tasks) {
    assert.equal(task.trigger_source, 'manual');
    assert.equal(task.retry_times, 0);
  }
  assert.deepEqual(await f.tasks('audit'), [], 'the other processor’s dead deliveries stay dead');
  const rows = (await f.db.knex('deliveries').orderBy(['event_id', 'dispatcher_id']).select('event_id', 'dispatcher_id', 'status')) as Array<{
    event_id: string;
    dispatcher_id: string;
    status: string;
  }>;
  assert.deepEqual(
    rows.map((r) => `${r.event_id}/${r.dispatcher_id}/${r.status}`),
    ['301/billing/pending', '302/billing/pending', '303/billing/succeeded', '304/audit/dead', '305/audit/dead', '305/billing/pending'],
  );

  const cases: Array<[string, unknown, number, string, RegExp]> = [
    ['/v1/processors/nobody/redrive', {}, 404, 'EY_PROCESSOR_NOT_FOUND', /processor "nobody" not found/],
    ['/v1/processors/billing/redrive', { since: 'last week' }, 400, 'EY_INVALID_REQUEST', /^since must be an RFC 3339 time with a zone/],
    ['/v1/processors/billing/redrive', { until: '2026-04-31T00:00:00Z' }, 400, 'EY_INVALID_REQUEST', /^until must be an RFC 3339 time with a zone/],
    ['/v1/processors/billing/redrive', { limit: 0 }, 400, 'EY_INVALID_REQUEST', /limit must be >= 1/],
    ['/v1/processors/billing/redrive', { rate_per_s: 20_000 }, 400, 'EY_INVALID_REQUEST', /rate_per_s must be <= 10000/],
    ['/v1/processors/billing/redrive', { status: 'failed' }, 400, 'EY_INVALID_REQUEST', /status is not a known field/],
    ['/v1/processors/billing/redrive', { dry_run: 1 }, 400, 'EY_INVALID_REQUEST', /dry_run must be a boolean/],
  ];
  for (const [path, body, status, code, msg] of cases) {
    const bad = await f.call('POST', path, body);
    assert.equal(bad.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(bad.body)}`);
    assert.equal(bad.body.error, code);
    assert.match(bad.body.ret.msg, msg);
  }
});
