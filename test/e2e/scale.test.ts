// Several instances of everything over real processes (issue 18, item 1): 2 producers, 2 routers,
// 2 dispatchers, 2 delay-schedulers and 2 admins on one broker and one Postgres. Events over 50 ordering
// keys go to an `ordered` processor and an unordered one, beside interval repeats, delays, open
// transactions settled by check-backs and a bulk replay job. While the events are reported, one instance
// of each kind is SIGKILLed and started again, one at a time, and a third router and a third dispatcher
// join (the topics have 3 partitions, so each of three members gets one). Then:
//
// - every acknowledged event reaches both processors (a Report refused or cut off while its producer was
//   being killed was never acknowledged and is not required; it may still arrive);
// - per-key order at the ordered processor, across every rebalance. At-least-once means a rebalance or a
//   crash re-delivers what was delivered after the last committed offset, so order is defined on the
//   stream of deliveries of one key (acknowledged events only, as numbered by report order):
//     1. the first deliveries of each event come in report order (no event delivered before an earlier
//        one of its key), and
//     2. the stream never skips ahead: every delivery is the next event after the one delivered just
//        before it, or a rewind to an event already delivered (a redelivery from a committed offset),
//        from which the stream continues in order again; so duplicates only re-deliver a contiguous
//        run, never interleave two positions of one key.
//   Both are asserted (a breach prints the first breaching key's arrivals). Rule 2 holds because a
//   dispatcher, before it rejoins a rebalancing group, cancels what it queued and drains what it started,
//   and commits (processor-consumer.ts); without that, a partition's old owner kept delivering while
//   the new one started again from the last commit;
// - timers (repeat occurrences, delays, check-back committed transactions) each arrive, none before its
//   due time, and at most once more per fault around it: the documented window is one re-fire, when the
//   instance holding its claim (delay-scheduler) or its offset (router, dispatcher) died or lost its
//   partitions between handing it on and recording that, so every further arrival must follow a kill or
//   join (two faults in a row, e.g. a router kill then a dispatcher join, can make it three);
// - the replay job (its runner SIGKILLed while it holds the lease) runs on one admin at a time: its lease
//   owners, sampled from `replay_jobs`, change once per takeover, and at most one batch (the one in hand
//   at the kill) is replayed twice, checked on the manual attempts in `delivery_attempts`;
// - every duplicate is printed with the kill or join it followed.
//
// Size: EY_SCALE_EVENTS events (default 1,500, so the suite stays bounded on 2 cores; the issue's figure
// is `EY_SCALE_EVENTS=5000`). Every kill and join happens at any size: the reporters are interlocked with
// the fault schedule, so step i runs after i/(steps+1) of the events were reported, and the next slice is
// reported while it runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { EventTriggerType, loadEvhub, ProtocolType, TxStatus, type CallbackReq__Output, type CallbackRsp } from '@eventyard/proto';
import { createReportClient, startDispatchServer, type ReportClient } from '@eventyard/sdk';
import { registerProcessor } from './event-kinds.ts';
import { adminCall, startStack, waitForRouterProcessors, waitUntil, type ServiceName } from './stack.ts';

const EVENTS = Number(process.env.EY_SCALE_EVENTS ?? 1500);
const KEYS = 50;
const PER_KEY = Math.ceil(EVENTS / KEYS);
const APP = 'scale';
/** Repeat chains: REPEATS events, each OCCURRENCES occurrences INTERVAL_S apart. */
const REPEATS = 10;
const OCCURRENCES = 8;
const INTERVAL_S = 2;
const DELAYS = 60;
const TRANSACTIONS = 20;
/** Events the bulk replay job replays, at REPLAY_RATE per second (batches of REPLAY_RATE). */
const REPLAYED = 200;
const REPLAY_RATE = 40;
/** The delay-scheduler's claim lease in this test (the test's "at-least-once window" for a re-fire). */
const CLAIM_MS = 10_000;
const SESSION_TIMEOUT_MS = 6000;

interface Arrival {
  event_id: string;
  data: string;
  repeat_times: number;
  at: number;
}

interface Step {
  what: string;
  run(): Promise<void>;
  /** Date.now() when it started and ended (set when it runs). */
  at?: number;
  end?: number;
}

const UNEXPLAINED = 'no fault (unexplained)';

/** A Dispatch server answering success, keeping every arrival in order. */
async function collector(t: { after(fn: () => unknown): void }): Promise<{ addr: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = await startDispatchServer({
    port: 0,
    host: '127.0.0.1',
    handler: async (req) => {
      arrivals.push({ event_id: req.event_id, data: Buffer.from(req.event?.data ?? []).toString(), repeat_times: req.repeat_times, at: Date.now() });
      return { ret: { code: 0, msg: 'ok' }, pass_back: Buffer.alloc(0) };
    },
  });
  t.after(() => server.close());
  return { addr: `127.0.0.1:${server.port}`, arrivals };
}

/** Arrivals per key of an identity, in arrival order. */
function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/**
 * Checks order rule 1 and 2 (file header) for one key: `delivered` are report positions of acknowledged
 * events in arrival order, `acked` the acknowledged positions in report order. Returns the breaches of
 * each rule.
 */
function orderProblems(acked: readonly number[], delivered: readonly number[]): { firsts: string[]; skips: string[] } {
  const problems = { firsts: [] as string[], skips: [] as string[] };
  const rank = new Map(acked.map((seq, i) => [seq, i]));
  const seen = new Set<number>();
  let prev = -1;
  for (const seq of delivered) {
    const r = rank.get(seq);
    if (r === undefined) continue;
    // Rule 1: a first delivery is of the next event not yet delivered.
    if (!seen.has(seq) && r !== seen.size) problems.firsts.push(`first delivery of #${seq} came while #${acked[seen.size]} was not delivered yet`);
    // Rule 2: never ahead of the successor of the delivery just before (a rewind, r ≤ prev, is fine); this
    // also catches a first delivery right after a rewind, i.e. two positions of one key interleaved.
    if (r > prev + 1) problems.skips.push(`#${seq} delivered right after #${acked[prev] ?? '(none)'}, skipping #${acked[prev + 1]}`);
    seen.add(seq);
    prev = r;
  }
  return problems;
}

test(`scale: ${EVENTS} events over ${KEYS} keys through 2-3 instances of every service, one of each kind killed`, { timeout: 900_000 }, async (t) => {
  const stack = await startStack(t, {
    brokerProcess: true,
    instances: { producer: 2, router: 2, dispatcher: 2, 'delay-scheduler': 2, admin: 2 },
    env: {
      // A killed member's partitions move after its session timeout (the smallest allowed).
      EY_ROUTER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      EY_DISPATCH_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      EY_SCHEDULER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      // A killed delay-scheduler's claimed timers come back after CLAIM_MS (≥ lookahead + retry max + produce timeout).
      EY_SCHEDULER_LOOKAHEAD_MS: '1000',
      EY_SCHEDULER_RETRY_MAX_MS: '2000',
      EY_SCHEDULER_PRODUCE_TIMEOUT_MS: '5000',
      EY_SCHEDULER_CLAIM_MS: String(CLAIM_MS),
      EY_TX_CHECK_POLL_MS: '200',
      EY_TX_CHECK_LEASE_MS: String(CLAIM_MS),
      EY_TX_CHECK_MAX_ATTEMPTS: '100',
      EY_TX_CHECK_BACKOFF_MAX_MS: '1000',
    },
  });
  const steps: Step[] = [];
  const started = Date.now();
  const elapsed = (at: number) => `${((at - started) / 1000).toFixed(1)} s`;

  // Processors: the two under test, one for timers, one for transactions, one for the replay job.
  const ordered = await collector(t);
  const unordered = await collector(t);
  const timers = await collector(t);
  const txs = await collector(t);
  const archive = await collector(t);
  const processor = (id: string, topic: string, addr: string, extra: Record<string, unknown> = {}) =>
    registerProcessor(stack, { dispatcher_id: id, app_id: APP, topic_id: topic, protocol_type: 'grpcSend', addr, timeout: 5000, ...extra });
  await processor('scale-ordered', 'orders', ordered.addr, { ordered: true, concurrency: 8 });
  await processor('scale-unordered', 'orders', unordered.addr, { concurrency: 16 });
  await processor('scale-timers', 'timers', timers.addr);
  await processor('scale-tx', 'tx', txs.addr);
  await processor('scale-archive', 'archive', archive.addr);
  await waitForRouterProcessors(stack, 5);

  const clients = [0, 1].map((i) => createReportClient({ address: `127.0.0.1:${stack.port('producer', 'grpc', i)}` }));
  t.after(() => clients.forEach((c) => c.close()));
  let turn = 0;
  /** Reports through the producers in turn; undefined when the Report was not acknowledged. */
  const report = async (request: Parameters<ReportClient['report']>[0]): Promise<string | undefined> => {
    const client = clients[turn++ % clients.length] as ReportClient;
    try {
      const rsp = await client.report(request);
      return (rsp.ret?.code ?? 0) === 0 ? rsp.event_id : undefined;
    } catch {
      return undefined;
    }
  };
  /** Reports that must be acknowledged (no producer is down when these run). */
  const mustReport = async (request: Parameters<ReportClient['report']>[0]): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const id = await report(request);
      if (id !== undefined) return id;
      assert.ok(attempt < 5, `a Report was refused 5 times: ${JSON.stringify(request.event?.topic_id)}`);
    }
  };

  // Warm-up: every processor reached once, so routing and every consumer group are settled.
  for (const [topic, c] of [
    ['orders', ordered],
    ['orders', unordered],
    ['timers', timers],
    ['tx', txs],
    ['archive', archive],
  ] as const) {
    await waitUntil(
      async () => {
        await mustReport({ event: { app_id: APP, topic_id: topic, data: Buffer.from('warm-up') } });
        return waitUntil(() => c.arrivals.some((a) => a.data === 'warm-up'), 3000, 'warm-up').then(
          () => true,
          () => false,
        );
      },
      90_000,
      `a warm-up event at the ${topic} processor`,
    );
  }

  // The events the replay job will replay, delivered once before it starts.
  const archiveIds: string[] = [];
  for (let i = 0; i < REPLAYED; i++) archiveIds.push(await mustReport({ event: { app_id: APP, topic_id: 'archive', data: Buffer.from(`archive:${i}`) } }));
  await waitUntil(() => archiveIds.every((id) => archive.arrivals.some((a) => a.event_id === id)), 120_000, 'the archive events delivered');

  // Timers, reported before the faults so they are pending across them.
  const timerDue = new Map<string, number>();
  const repeatIds: string[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const sentAt = Date.now();
    const id = await mustReport({
      event: { app_id: APP, topic_id: 'timers', data: Buffer.from(`repeat:${i}`) },
      trigger: {
        trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REPEAT,
        repeat_trigger: {
          end_type: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
          repeat_end: { repeat_times: OCCURRENCES },
          pulser_type: 'EVENT_PULSER_TYPE_BY_INTERVAL',
          regular_pulser: { interval: { seconds: INTERVAL_S } },
        },
      },
    });
    repeatIds.push(id);
    for (let n = 0; n < OCCURRENCES; n++) timerDue.set(`${id}/${n}`, sentAt + n * INTERVAL_S * 1000);
  }
  const delayIds: string[] = [];
  for (let i = 0; i < DELAYS; i++) {
    const seconds = 2 + (i % 25);
    const sentAt = Date.now();
    const id = await mustReport({
      event: { app_id: APP, topic_id: 'timers', data: Buffer.from(`delay:${i}`) },
      trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_DELAY, delay_trigger: { delay_time: { seconds } } },
    });
    delayIds.push(id);
    timerDue.set(`${id}/0`, sentAt + seconds * 1000);
  }

  // Open transactions: the producing service's check-back answers COMMIT once each one's time came
  // (spread over 3–25 s), PREPARE (still open) before.
  const commitAfter = new Map<string, number>();
  const { evhubTransaction } = loadEvhub();
  const callbackServer = new grpc.Server();
  callbackServer.addService(evhubTransaction.service, {
    Callback: (call: grpc.ServerUnaryCall<CallbackReq__Output, CallbackRsp>, callback: grpc.sendUnaryData<CallbackRsp>) => {
      const due = commitAfter.get(call.request.tx?.event_id ?? '') ?? Number.POSITIVE_INFINITY;
      callback(
        null,
        Date.now() >= due
          ? { tx_status: TxStatus.TX_STATUS_COMMIT, trigger: { trigger_type: EventTriggerType.EVENT_TRIGGER_TYPE_REAL_TIME } }
          : { tx_status: TxStatus.TX_STATUS_PREPARE },
      );
    },
  });
  const callbackPort = await new Promise<number>((resolve, reject) =>
    callbackServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => callbackServer.forceShutdown());
  const txIds: string[] = [];
  for (let i = 0; i < TRANSACTIONS; i++) {
    const rsp = await (clients[i % 2] as ReportClient).prepare({
      event: { app_id: APP, topic_id: 'tx', data: Buffer.from(`tx:${i}`) },
      tx_callback: {
        Endpoint: { protocol_type: ProtocolType.PROTOCOL_TYPE_GRPC, address: `127.0.0.1:${callbackPort}`, timeout: { seconds: 2 } },
        callback_interval: { seconds: 1 },
      },
    });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    const id = rsp.tx?.event_id ?? '';
    txIds.push(id);
    commitAfter.set(id, Date.now() + 3000 + (i % 12) * 2000);
  }

  // The fault schedule: one at a time, each awaited (a killed instance is ready again) before the next.
  const killAndRestart = (service: ServiceName, instance: number) => async () => {
    await stack.kill(service, instance);
    await stack.start(service, instance);
  };
  const leaseOwners: Array<{ owner: string | null; at: number }> = [];
  /** Set when the fault schedule failed, so the reporters waiting on it stop. */
  let failed = false;
  let replayId = '';
  steps.push(
    { what: 'kill -9 router #0', run: killAndRestart('router', 0) },
    { what: 'join router #2', run: async () => void (await stack.addInstance('router')) },
    { what: 'kill -9 dispatcher #1', run: killAndRestart('dispatcher', 1) },
    { what: 'join dispatcher #2', run: async () => void (await stack.addInstance('dispatcher')) },
    { what: 'kill -9 producer #1', run: killAndRestart('producer', 1) },
    { what: 'kill -9 delay-scheduler #0', run: killAndRestart('delay-scheduler', 0) },
    {
      what: 'kill -9 the admin running the replay job',
      run: async () => {
        const created = await adminCall(stack, 'POST', '/v1/replay', {
          query: { app_id: APP, topic_id: 'archive', dispatcher_id: 'scale-archive' },
          rate_per_s: REPLAY_RATE,
          limit: 10_000,
        });
        assert.equal(created.status, 202, JSON.stringify(created.body));
        replayId = String(created.body.replay_id);
        // Kill whichever admin holds the lease, once it stored a batch (the lease owner names its pid).
        let holder = -1;
        await waitUntil(
          async () => {
            const row = (await stack.knex('replay_jobs').where({ replay_id: replayId }).first('lease_owner', 'cursor')) as {
              lease_owner: string | null;
              cursor: string | null;
            };
            const pid = Number(row.lease_owner?.split(':')[1]);
            holder = [0, 1].find((i) => stack.pid('admin', i) === pid) ?? -1;
            return row.cursor !== null && holder >= 0;
          },
          30_000,
          'the replay job running',
        );
        await stack.kill('admin', holder);
        await stack.start('admin', holder);
      },
    },
  );

  // Samples the replay job's lease owner while it exists.
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !failed) {
      if (replayId !== '') {
        const row = (await stack.knex('replay_jobs').where({ replay_id: replayId }).first('lease_owner')) as { lease_owner: string | null } | undefined;
        const owner = row?.lease_owner ?? null;
        if (leaseOwners.at(-1)?.owner !== owner) leaseOwners.push({ owner, at: Date.now() });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  // Reporters (one per key, each awaiting its Reports, so report order per key is defined) interlocked
  // with the fault schedule.
  const slices = steps.length + 1;
  let settled = 0;
  let stepsStarted = 0;
  const acked = new Map<string, { key: number; seq: number }>();
  let refused = 0;
  const chaos = (async () => {
    for (const [i, step] of steps.entries()) {
      await waitUntil(() => settled >= Math.floor(((i + 1) * KEYS * PER_KEY) / slices), 600_000, `reports before step ${i + 1}`);
      stepsStarted = i + 1;
      step.at = Date.now();
      t.diagnostic(`${elapsed(step.at)}: ${step.what} (${settled} reported)`);
      await step.run();
      step.end = Date.now();
      t.diagnostic(`${elapsed(Date.now())}: ${step.what}: done`);
    }
  })().catch((err: unknown) => {
    failed = true;
    throw err;
  });
  const reporters = Array.from({ length: KEYS }, async (_, key) => {
    for (let seq = 0; seq < PER_KEY; seq++) {
      while (settled >= Math.floor(((stepsStarted + 1) * KEYS * PER_KEY) / slices)) {
        if (failed) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const id = await report({ event: { app_id: APP, topic_id: 'orders', data: Buffer.from(`${key}:${seq}`) }, option: { orderingKey: `key-${key}` } });
      if (id === undefined) refused++;
      else acked.set(id, { key, seq });
      settled++;
    }
  });
  try {
    await Promise.all([chaos, ...reporters]);
  } finally {
    if (failed) {
      sampling = false;
      await sampler.catch(() => undefined);
    }
  }
  t.diagnostic(`${elapsed(Date.now())}: ${settled} reported, ${acked.size} acknowledged, ${refused} refused (a producer was killed)`);

  // Everything acknowledged arrives.
  const all = (c: { arrivals: Arrival[] }, ids: Iterable<string>) => {
    const got = new Set(c.arrivals.map((a) => a.event_id));
    return [...ids].filter((id) => !got.has(id));
  };
  const missingReport = () =>
    `ordered ${all(ordered, acked.keys()).length}, unordered ${all(unordered, acked.keys()).length}, timers ${[...timerDue.keys()].filter((k) => !timers.arrivals.some((a) => `${a.event_id}/${a.repeat_times}` === k)).length}, tx ${all(txs, txIds).length}, archive not replayed ${archiveIds.filter((id) => archive.arrivals.filter((a) => a.event_id === id).length < 2).length}`;
  try {
    await waitUntil(
      () =>
        all(ordered, acked.keys()).length === 0 &&
        all(unordered, acked.keys()).length === 0 &&
        all(txs, txIds).length === 0 &&
        [...timerDue.keys()].every((k) => timers.arrivals.some((a) => `${a.event_id}/${a.repeat_times}` === k)),
      300_000,
      'every acknowledged event, timer and transaction delivered',
    );
    await waitUntil(
      async () => {
        const row = (await stack.knex('replay_jobs').where({ replay_id: replayId }).first('status')) as { status: string };
        return row.status === 'succeeded';
      },
      120_000,
      'the replay job succeeded',
    );
    await waitUntil(() => archiveIds.every((id) => archive.arrivals.filter((a) => a.event_id === id).length >= 2), 60_000, 'every archive event replayed');
  } catch (err) {
    throw new Error(`${String(err)}; missing: ${missingReport()}`);
  } finally {
    sampling = false;
    await sampler.catch(() => undefined);
  }
  t.diagnostic(`${elapsed(Date.now())}: all delivered`);

  // What explains a duplicate: a fault step that ran between the first arrival and this one (a kill or a
  // join makes a group rebalance, and its partitions are consumed again from their last commit); when
  // several did, all of them are named. A step's effect lasts a session timeout (and a commit) past its
  // end: a killed member's partitions move only when the broker expires its session.
  const explain = (first: number, again: number) => {
    const causes = steps.filter((s) => s.at !== undefined && s.at <= again && (s.end ?? again) + SESSION_TIMEOUT_MS + 5000 >= first).map((s) => s.what);
    return causes.length === 0 ? UNEXPLAINED : causes.join(' or ');
  };
  const printDuplicates = (name: string, arrivals: readonly Arrival[], identity: (a: Arrival) => string) => {
    const byCause = new Map<string, number>();
    let total = 0;
    for (const [first, ...again] of countBy(arrivals, identity).values()) {
      for (const extra of again) {
        total++;
        const cause = explain(first?.at ?? 0, extra.at);
        byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
      }
    }
    t.diagnostic(
      `${name}: ${arrivals.length} arrivals, ${total} duplicates${total === 0 ? '' : `: ${[...byCause].map(([c, n]) => `${n} around "${c}"`).join(', ')}`}`,
    );
    return byCause;
  };

  // Per-key order at the ordered processor.
  const ackedByKey = new Map<number, number[]>();
  for (const { key, seq } of acked.values()) ackedByKey.set(key, [...(ackedByKey.get(key) ?? []), seq]);
  for (const list of ackedByKey.values()) list.sort((a, b) => a - b);
  const orders = ordered.arrivals.filter((a) => acked.has(a.event_id));
  const problems = { firsts: [] as string[], skips: [] as string[] };
  for (const [key, list] of ackedByKey) {
    const delivered = orders.filter((a) => acked.get(a.event_id)?.key === key).map((a) => acked.get(a.event_id)?.seq ?? -1);
    const found = orderProblems(list, delivered);
    if (found.skips.length > 0 && problems.skips.length === 0) t.diagnostic(`key-${key} arrived as: ${delivered.join(' ')}`);
    problems.firsts.push(...found.firsts.map((p) => `key-${key}: ${p}`));
    problems.skips.push(...found.skips.map((p) => `key-${key}: ${p}`));
  }
  const orderedDup = printDuplicates('ordered processor', orders, (a) => a.event_id);
  printDuplicates(
    'unordered processor',
    unordered.arrivals.filter((a) => acked.has(a.event_id)),
    (a) => a.event_id,
  );
  t.diagnostic(
    `ordered processor: ${problems.firsts.length} first deliveries out of report order (rule 1), ${problems.skips.length} deliveries skipping ahead of a redelivery (rule 2)`,
  );
  assert.deepEqual(problems.firsts.slice(0, 20), [], 'rule 1: the first deliveries of each key in report order');
  // Rule 2 failed (88 breaches at 1,500 events, 312 at 5,000 in runs of 2026-12-06) while a partition
  // moving away from a live dispatcher (a member joins, or one is killed and rejoins) was still delivered
  // by its old owner from what it had started or queued; now the dispatcher stops that before it rejoins.
  await t.test('rule 2: redeliveries of a key never interleave with later deliveries of it', () => {
    assert.deepEqual(problems.skips.slice(0, 20), []);
  });
  assert.ok(!orderedDup.has(UNEXPLAINED), 'every duplicate at the ordered processor is explained by a fault');

  // Timers: each at least once, never before due, at most twice, a second arrival only after a fault.
  const timerArrivals = timers.arrivals.filter((a) => timerDue.has(`${a.event_id}/${a.repeat_times}`));
  for (const a of timerArrivals) {
    const due = timerDue.get(`${a.event_id}/${a.repeat_times}`) ?? 0;
    assert.ok(a.at >= due - 1, `timer ${a.event_id}/${a.repeat_times} arrived ${due - a.at} ms before its due time`);
  }
  const timerDup = printDuplicates('timers (repeat occurrences and delays)', timerArrivals, (a) => `${a.event_id}/${a.repeat_times}`);
  // One re-fire per fault: a timer caught by two faults (a router kill, then a dispatcher join, each
  // re-reading from its last commit) may arrive three times (seen once in five runs), never more.
  for (const list of countBy(timerArrivals, (a) => `${a.event_id}/${a.repeat_times}`).values()) {
    const first = list[0]?.at ?? 0;
    const last = list[list.length - 1]?.at ?? 0;
    const faults = steps.filter((s) => s.at !== undefined && s.at <= last && (s.end ?? last) + SESSION_TIMEOUT_MS + 5000 >= first).length;
    assert.ok(
      list.length <= 1 + Math.max(1, faults),
      `timer ${list[0]?.event_id}/${list[0]?.repeat_times} arrived ${list.length} times around ${faults} fault(s)`,
    );
  }
  assert.ok(!timerDup.has(UNEXPLAINED), 'no timer fired twice without a fault');
  const txDup = printDuplicates(
    'check-back committed transactions',
    txs.arrivals.filter((a) => txIds.includes(a.event_id)),
    (a) => a.event_id,
  );
  assert.ok(!txDup.has(UNEXPLAINED), 'no transaction delivered twice without a fault');

  // The replay job: one runner at a time. Owners change only by a takeover (null in between when the
  // killed runner's lease lapsed, or a direct takeover of an expired lease), and the manual attempts
  // show at most one batch replayed twice.
  const owners = leaseOwners.filter((o) => o.owner !== null).map((o) => o.owner);
  t.diagnostic(`replay job ${replayId}: lease owners in turn: ${owners.join(' → ')}`);
  assert.ok(new Set(owners).size === owners.length, 'a runner never got the job back after losing it');
  const manual = (await stack
    .knex('delivery_attempts')
    .whereIn('event_id', archiveIds)
    .andWhere({ dispatcher_id: 'scale-archive', trigger: 'manual' })
    .select('event_id')
    .count('* as n')
    .groupBy('event_id')) as Array<{ event_id: string; n: string }>;
  assert.equal(manual.length, REPLAYED, 'every archive event has a manual attempt');
  const twice = manual.filter((m) => Number(m.n) > 1).length;
  t.diagnostic(`replay job: ${REPLAYED} events replayed, ${twice} of them twice (the batch in hand when its runner was killed; at most ${REPLAY_RATE})`);
  assert.ok(twice <= REPLAY_RATE, `${twice} events replayed twice: more than the one batch in hand at the kill`);

  t.diagnostic(
    `instances at the end: ${(['producer', 'router', 'dispatcher', 'delay-scheduler', 'admin'] as const).map((s) => `${s} ${stack.instances(s)}`).join(', ')}`,
  );
});
