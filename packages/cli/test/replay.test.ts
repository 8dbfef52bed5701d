// `eventyard replay` / `redrive` / `processors pause|resume` against a real admin with the project's broker
// in-process: one event replays at once; bulk replay and redrive follow their job on stderr until it ends;
// a job that ends cancelled exits 1 with one line.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { recordDeliveries, recordEvents, upsertProcessor } from '@eventyard/db';
import { CLI, runCli, startCliFixture } from './fixture.ts';

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

test('replay and redrive', async (t) => {
  const { run, db, adminUrl, adminToken, deliveryTopics } = await startCliFixture(t, { broker: true });
  await deliveryTopics(['orders', 'slow-orders', 'tty-orders']);
  const base = { app_id: 'shop', topic_id: 'order' };
  await upsertProcessor(db.knex, { dispatcher_id: 'orders', ...base, protocol_type: 'grpcSend', addr: '127.0.0.1:7000' });
  const [dead1, dead2, ok] = ids(5000, 3) as [string, string, string];
  await recordEvents(
    db.knex,
    [dead1, dead2, ok].map((event_id) => ({ event_id, ...base, status: 'routed', payload: Buffer.from(`{"id":${event_id}}`) })),
  );
  await recordDeliveries(db.knex, [
    { event_id: dead1, dispatcher_id: 'orders', ...base, status: 'dead' },
    { event_id: dead2, dispatcher_id: 'orders', ...base, status: 'dead' },
    { event_id: ok, dispatcher_id: 'orders', ...base, status: 'succeeded' },
  ]);

  await t.test('redrive: a dry run counts the dead deliveries; a run follows the job to the end', async () => {
    const dry = await run(['redrive', 'orders', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, 'dry run: 2 event(s) match; nothing was replayed\n');
    const res = await run(['redrive', 'orders']);
    assert.equal(res.code, 0, res.stderr);
    // Not a TTY here: whole progress lines, the last one final.
    assert.match(res.stderr, /replay \S+: succeeded, 2\/2 replayed, 0 skipped, 0 failed \(100%\)\n$/);
    assert.match(res.stdout, /^REPLAY_ID\s+STATUS\s+MATCHED\s+REPLAYED\s+SKIPPED\s+FAILED\n\S+\s+succeeded\s+2\s+2\s+0\s+0\n$/);
  });

  // script(1) gives the CLI a pseudo-terminal, where the progress line is rewritten in place.
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  await t.test('on a terminal the progress line is rewritten in place', { skip: script.status === 0 ? false : 'script(1) is not installed' }, async () => {
    const tty = { app_id: 'tty', topic_id: 'order' };
    await upsertProcessor(db.knex, { dispatcher_id: 'tty-orders', ...tty, protocol_type: 'grpcSend', addr: '127.0.0.1:7000' });
    await recordEvents(db.knex, [{ event_id: '5900', ...tty, status: 'routed', payload: Buffer.from('{}') }]);
    await recordDeliveries(db.knex, [{ event_id: '5900', dispatcher_id: 'tty-orders', ...tty, status: 'dead' }]);
    const res = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        'script',
        ['-qfec', `${process.execPath} ${CLI} redrive tty-orders`, '/dev/null'],
        { env: { ...process.env, EY_ADMIN_URL: adminUrl, EY_ADMIN_TOKEN: adminToken }, encoding: 'utf8', timeout: 120_000 },
        (err, stdout) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout }),
      );
    });
    assert.equal(res.code, 0, res.out);
    // ESC [ K clears the line after the carriage return.
    const rewritten = `\r${String.fromCharCode(27)}[Kreplay `;
    assert.ok(res.out.includes(rewritten), JSON.stringify(res.out));
    assert.match(res.out, /: succeeded, 1\/1 replayed, 0 skipped, 0 failed \(100%\)\r?\n/);
  });

  await t.test('one event: replayed to its processors', async () => {
    const res = await run(['replay', ok]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `replayed event ${ok}: 1 replayed (orders), 0 skipped\n`);
    const json = await run(['replay', ok, '--dispatcher-id', 'orders', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).replayed, ['orders']);
    const unknown = await run(['replay', '999999', '--dispatcher-id', 'orders']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'eventyard: event 999999 not found (EY_EVENT_NOT_FOUND, HTTP 404)\n');
  });

  await t.test('bulk replay by query: dry run, then the job followed to the end (json)', async () => {
    const dry = await run(['replay', '--query-app-id', 'shop', '--since', '1h', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, 'dry run: 3 event(s) match; nothing was replayed\n');
    const res = await run(['replay', '--query-app-id', 'shop', '--query-delivery-status', 'succeeded,pending', '--rate', '100', '-o', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const { replay } = JSON.parse(res.stdout) as { replay: { status: string; matched: number; replayed: number } };
    assert.equal(replay.status, 'succeeded');
    assert.equal(replay.matched, 3);
    assert.equal(replay.replayed, 3);
    const usage = await run(['replay']);
    assert.equal(usage.code, 1);
    assert.equal(usage.stderr, 'eventyard: replay: give an event_id, or a query (--query-app-id, --since, --event-id, …) for a bulk replay\n');
    const noSuchDay = await run(['replay', '--query-app-id', 'shop', '--since', '2026-02-30T00:00:00Z', '--dry-run']);
    assert.equal(noSuchDay.code, 1);
    assert.match(noSuchDay.stderr, /--since must be an ISO 8601 time .* got "2026-02-30T00:00:00Z"/);
  });

  await t.test('a job that ends cancelled exits 1 with one line', async () => {
    const many = ids(6000, 30);
    await recordEvents(
      db.knex,
      many.map((event_id) => ({ event_id, app_id: 'slow', topic_id: 'order', status: 'routed', payload: Buffer.from('{}') })),
    );
    await upsertProcessor(db.knex, { dispatcher_id: 'slow-orders', app_id: 'slow', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:7000' });
    const following = runCli(['replay', '--query-app-id', 'slow', '--rate', '1'], { EY_ADMIN_URL: adminUrl, EY_ADMIN_TOKEN: adminToken });
    let replayId: string | undefined;
    const deadline = Date.now() + 30_000;
    while (replayId === undefined && Date.now() < deadline) {
      const row = (await db.knex('replay_jobs').where({ status: 'running' }).first('replay_id')) as { replay_id: string } | undefined;
      replayId = row?.replay_id;
      if (replayId === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(replayId !== undefined, 'the job did not start');
    const cancel = await fetch(`${adminUrl}/v1/replays/${replayId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(cancel.status, 200);
    const res = await following;
    assert.equal(res.code, 1, res.stdout);
    const lastLine = res.stderr.trimEnd().split('\n').at(-1) ?? '';
    assert.match(lastLine, new RegExp(`^eventyard: replay ${replayId} cancelled \\(\\d+/30 replayed, 0 skipped, 0 failed \\(\\d+%\\)\\)$`));
  });

  await t.test('processors pause and resume', async () => {
    const paused = await run(['processors', 'pause', 'orders']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(paused.stdout, 'paused processor orders (version 2)\n');
    const listed = await run(['processors', 'list', '--app-id', 'shop']);
    assert.match(listed.stdout, /^orders\s+shop\s+order\s+grpcSend\s+127\.0\.0\.1:7000\s+paused\s+2$/m);
    const resumed = await run(['processors', 'resume', 'orders', '-o', 'json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).processor_conf_info.paused, false);
    const missing = await run(['processors', 'pause', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'eventyard: processor "nosuch" not found (EY_PROCESSOR_NOT_FOUND, HTTP 404)\n');
  });
});
