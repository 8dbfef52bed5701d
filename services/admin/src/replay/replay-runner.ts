// The replay job runner inside the admin process: claims a running job under a lease, works through its
// events in event_id order in batches of at most `rate_per_s`, paced to `rate_per_s` events per second,
// and stores cursor and counts after each batch. A closed or crashed runner's job is resumed from its
// cursor by the next runner (here or in another admin instance): events of a batch that was produced but
// not yet stored are replayed again (at least once), all others exactly once.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { PollBackoff, type ComponentState, type Logger } from '@eventyard/core';
import {
  claimReplayJob,
  finishReplayJob,
  nextReplayBatch,
  recordReplayProgress,
  releaseReplayJob,
  renewReplayLease,
  type Knex,
  type ReplayJobRecord,
} from '@eventyard/db';
import type { KafkaLink } from '../kafka/kafka-link.ts';
import { replayEvents } from './replay-batch.ts';
import { TargetPlanner, type TargetMode } from './replay-targets.ts';

/** Time for pacing: injectable so a test can count events per second without waiting for seconds. */
export interface PacingClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface ReplayRunnerOptions {
  knex: Knex;
  kafka: KafkaLink;
  logger: Logger;
  /** Lease holder name. @default `<host>:<pid>:<random>` */
  owner?: string;
  /** How often an idle runner looks for a job (wake() looks at once). @default 1000 */
  pollMs?: number;
  /**
   * Longest wait between looks once looks that found no job have backed it off (doubling from pollMs):
   * jobs created here wake the runner at once, so only another admin's jobs wait this long. @default 10000
   */
  idlePollMs?: number;
  /** Lease lifetime, renewed with every batch. @default 30000 */
  leaseMs?: number;
  /** Largest batch (events per produce round). @default 500 */
  batchMax?: number;
  /** Tries of one batch (Kafka or Postgres down) before the job is marked failed. @default 6 */
  batchAttempts?: number;
  /** First backoff between tries, doubled each time. @default 1000 */
  retryBaseMs?: number;
  /** @default the real clock */
  clock?: PacingClock;
}

export interface ReplayRunner {
  readonly state: ComponentState;
  start(): void;
  /** Looks for a job now (a job was just created). */
  wake(): void;
  /** Finishes the batch in hand, stores its progress, frees the lease; idempotent. */
  close(): Promise<void>;
}

const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** Which targets a job's events go to: the query's processor, the original targets, or routing now. */
function targetModeOf(job: Pick<ReplayJobRecord, 'query' | 'original_targets'>): TargetMode {
  if (job.query.dispatcher_id !== undefined) return { kind: 'processor', dispatcherId: job.query.dispatcher_id };
  return job.original_targets ? { kind: 'original' } : { kind: 'routing' };
}

export function createReplayRunner(options: ReplayRunnerOptions): ReplayRunner {
  const { knex, kafka } = options;
  const log = options.logger.child({ component: 'replay-runner' });
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pollMs = options.pollMs ?? 1000;
  const backoff = new PollBackoff(pollMs, options.idlePollMs ?? 10_000);
  const leaseMs = options.leaseMs ?? 30_000;
  const batchMax = options.batchMax ?? 500;
  const batchAttempts = options.batchAttempts ?? 6;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const clock = options.clock ?? realClock;
  const lease = { owner, leaseMs };
  const stop = new AbortController();
  let state: ComponentState = 'created';
  let loop: Promise<void> | undefined;
  let wakeIdle: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  const idle = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        wakeIdle = undefined;
        resolve();
      }
      wakeIdle = finish;
    });

  const stopping = (): boolean => stop.signal.aborted;

  /** Runs one job until it is done, cancelled, lost, failed, or the runner closes. */
  const runJob = async (job: ReplayJobRecord): Promise<void> => {
    const context = { replay_id: job.replay_id, kind: job.kind };
    log.info({ ...context, cursor: job.cursor, matched: job.matched }, 'replay job claimed');
    const rate = job.rate_per_s;
    const batchSize = Math.max(1, Math.min(batchMax, rate));
    const mode = targetModeOf(job);
    let cursor = job.cursor;
    let nextAt = clock.now();
    for (;;) {
      if (stopping()) break;
      const wait = nextAt - clock.now();
      if (wait > 0) await clock.sleep(wait, stop.signal);
      if (stopping()) break;
      const started = clock.now();
      let outcome: { done: true } | { done: false; count: number; status: string | undefined } | undefined;
      for (let attempt = 1; outcome === undefined; attempt++) {
        try {
          const events = await nextReplayBatch(knex, { query: job.query, cursor, max_event_id: job.max_event_id }, batchSize);
          const last = events.at(-1);
          if (last === undefined) {
            outcome = { done: true };
            break;
          }
          // A planner per batch: each batch routes against the processors as they are now.
          const results = await replayEvents({ knex, kafka }, events, new TargetPlanner(knex, mode));
          const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
          const status = await recordReplayProgress(knex, {
            replay_id: job.replay_id,
            ...lease,
            cursor: last.event_id,
            replayed: count('replayed'),
            skipped: count('skipped'),
            failed: count('pruned') + count('unencodable'),
          });
          cursor = last.event_id;
          outcome = { done: false, count: events.length, status };
        } catch (err) {
          if (attempt >= batchAttempts) {
            const reason = err instanceof Error ? err.message : String(err);
            log.error({ ...context, err, attempt }, 'replay job failed');
            await finishReplayJob(knex, {
              replay_id: job.replay_id,
              owner,
              status: 'failed',
              error: `batch after event ${cursor ?? '(start)'} failed ${attempt} times: ${reason}`,
            }).catch((finishErr: unknown) => log.error({ ...context, err: finishErr }, 'could not mark replay job failed'));
            return;
          }
          log.warn({ ...context, err, attempt }, 'replay batch failed; retrying');
          await clock.sleep(retryBaseMs * 2 ** (attempt - 1), stop.signal);
          if (stopping()) break;
          // A long outage must not let the lease lapse under us while we wait.
          const status = await renewReplayLease(knex, job.replay_id, lease).catch(() => 'running' as const);
          if (status !== 'running') return;
        }
      }
      if (outcome === undefined) break;
      if (outcome.done) {
        const finished = await finishReplayJob(knex, { replay_id: job.replay_id, owner, status: 'succeeded' });
        if (finished) log.info(context, 'replay job succeeded');
        return;
      }
      if (outcome.status === undefined) {
        log.warn(context, 'replay job lease lost: another runner holds it');
        return;
      }
      if (outcome.status !== 'running') {
        log.info({ ...context, status: outcome.status }, 'replay job stopped');
        await releaseReplayJob(knex, job.replay_id, owner).catch((err: unknown) => log.warn({ ...context, err }, 'could not release replay job lease'));
        return;
      }
      nextAt = Math.max(nextAt, started) + (outcome.count * 1000) / rate;
    }
    await releaseReplayJob(knex, job.replay_id, owner).catch((err: unknown) => log.warn({ ...context, err }, 'could not release replay job lease'));
    log.info({ ...context, cursor }, 'replay job released (runner closing)');
  };

  const run = async (): Promise<void> => {
    while (!stopping()) {
      let job: ReplayJobRecord | undefined;
      try {
        job = await claimReplayJob(knex, lease);
      } catch (err) {
        log.warn({ err }, 'cannot claim replay jobs');
      }
      if (job === undefined) {
        await idle(backoff.after(false));
        continue;
      }
      backoff.reset();
      try {
        await runJob(job);
      } catch (err) {
        // Progress writes failed past retries: the lease expires and a runner picks the job up again.
        log.error({ err, replay_id: job.replay_id }, 'replay job interrupted');
        await idle(pollMs);
      }
    }
  };

  return {
    get state() {
      return state;
    },
    start() {
      if (state !== 'created') return;
      state = 'running';
      loop = run();
    },
    wake() {
      backoff.reset();
      wakeIdle?.();
    },
    close() {
      closing ??= (async () => {
        state = 'draining';
        stop.abort();
        wakeIdle?.();
        await loop;
        state = 'stopped';
      })();
      return closing;
    },
  };
}
