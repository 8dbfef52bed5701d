// `eventyard replay` and `eventyard redrive`: send events to processors again. One event replays at once;
// a bulk replay (a query) or a redrive (a processor's dead deliveries) starts a job on the admin, which
// this command follows on stderr until it ends, exiting non-zero when the job fails.
import type { Command } from 'commander';
import { EventyardError } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';
import { adminClientFor, globalOptions, pathOf, type AdminClient } from './admin-client.ts';
import { printJson, printResult, renderTable } from './output.ts';
import { collect, collectList, parseLimit, parseTime, usageError } from './cli-values.ts';

interface ReplayOptions {
  dispatcherId?: string;
  originalTargets: boolean;
  queryAppId?: string;
  queryTopicId?: string;
  queryDispatcherId?: string;
  queryStatus?: string;
  queryDeliveryStatus?: string[];
  since?: string;
  until?: string;
  eventId?: string[];
  dryRun: boolean;
  rate?: string;
  limit?: string;
  wait: boolean;
}

interface RedriveOptions {
  dryRun: boolean;
  since?: string;
  until?: string;
  rate?: string;
  limit?: string;
  wait: boolean;
}

/** What GET /v1/replays/:id says about a job. */
export interface ReplayJob {
  replay_id: string;
  status: string;
  matched?: number;
  replayed?: number;
  skipped?: number;
  failed?: number;
  error?: string | null;
  [field: string]: unknown;
}

// A job is `running` until it ends `succeeded`, `failed` or `cancelled` (db replay_jobs).
const SUCCEEDED = new Set(['succeeded']);
const FAILED = new Set(['failed', 'cancelled']);
/** How often a running job is polled. */
const POLL_MS = 500;
/** Without a TTY, a progress line at most this often (plus the final one). */
const LINE_EVERY_MS = 5000;

export function registerReplayCommands(program: Command): void {
  program
    .command('replay')
    .description('replay one event (to its processors, one processor, or its original targets), or every event a query matches')
    .argument('[event_id]', 'one event; omit it and give --query-* / --since / --until / --event-id for a bulk replay')
    .option('--dispatcher-id <id>', 'one event: only to this processor')
    .option('--original-targets', 'to the processors the event(s) first reached, not those routing picks now', false)
    .option('--query-app-id <app_id>', 'bulk: events of this app')
    .option('--query-topic-id <topic_id>', 'bulk: events of this topic')
    .option('--query-dispatcher-id <id>', 'bulk: events delivered to this processor')
    .option('--query-status <status>', 'bulk: events in this status')
    .option('--query-delivery-status <status>', 'bulk: events with a delivery in this status (dead, failed, …; repeatable or a,b)', collectList)
    .option('--since <time>', 'bulk: ISO 8601 time or an age such as 1h')
    .option('--until <time>', 'bulk: ISO 8601 time or an age such as 10m')
    .option('--event-id <id>', 'bulk: this event (repeatable)', collect)
    .option('--dry-run', 'bulk: count the matching events, replay nothing', false)
    .option('--rate <per_s>', 'bulk: events per second')
    .option('--limit <n>', 'bulk: at most n events')
    .option('--no-wait', 'bulk: print the replay id and return without following the job')
    .action(async (eventId: string | undefined, options: ReplayOptions, command: Command) => {
      const client = adminClientFor(command);
      const bulk = bulkQuery(options);
      if (eventId !== undefined) {
        if (Object.keys(bulk).length > 0 || options.dryRun || options.rate !== undefined || options.limit !== undefined) {
          throw usageError('replay: give an event_id or bulk query options (--query-*, --since, --until, --event-id), not both');
        }
        const answer = await client.request<Record<string, unknown>>('POST', `${pathOf('/v1/events', eventId)}/replay`, {
          body: {
            ...(options.dispatcherId === undefined ? {} : { dispatcher_id: options.dispatcherId }),
            ...(options.originalTargets ? { original_targets: true } : {}),
          },
        });
        printResult(
          globalOptions(command).output,
          answer,
          () =>
            `replayed event ${eventId}: ${countOf(answer.replayed)} replayed${listOf(answer.replayed)}, ${countOf(answer.skipped)} skipped${listOf(answer.skipped)}\n`,
        );
        return;
      }
      if (options.dispatcherId !== undefined) throw usageError('replay: --dispatcher-id applies to one event; for a bulk replay use --query-dispatcher-id');
      if (Object.keys(bulk).length === 0) throw usageError('replay: give an event_id, or a query (--query-app-id, --since, --event-id, …) for a bulk replay');
      const body = {
        query: bulk,
        ...(options.dryRun ? { dry_run: true } : {}),
        ...(options.originalTargets ? { original_targets: true } : {}),
        ...(options.rate === undefined ? {} : { rate_per_s: parseLimit(options.rate, '--rate') }),
        ...(options.limit === undefined ? {} : { limit: parseLimit(options.limit, '--limit') }),
      };
      await startAndFollow(command, client, '/v1/replay', body, options.dryRun, options.wait);
    });

  program
    .command('redrive')
    .description("replay a processor's dead deliveries")
    .argument('<dispatcher_id>')
    .option('--dry-run', 'count the dead deliveries, replay nothing', false)
    .option('--since <time>', 'only deliveries of events since (ISO 8601 or an age such as 1h)')
    .option('--until <time>', 'only deliveries of events until (ISO 8601 or an age)')
    .option('--rate <per_s>', 'events per second')
    .option('--limit <n>', 'at most n events')
    .option('--no-wait', 'print the replay id and return without following the job')
    .action(async (dispatcherId: string, options: RedriveOptions, command: Command) => {
      const client = adminClientFor(command);
      const body = {
        ...(options.dryRun ? { dry_run: true } : {}),
        ...(options.since === undefined ? {} : { since: parseTime(options.since, '--since') }),
        ...(options.until === undefined ? {} : { until: parseTime(options.until, '--until') }),
        ...(options.rate === undefined ? {} : { rate_per_s: parseLimit(options.rate, '--rate') }),
        ...(options.limit === undefined ? {} : { limit: parseLimit(options.limit, '--limit') }),
      };
      await startAndFollow(command, client, `${pathOf('/v1/processors', dispatcherId)}/redrive`, body, options.dryRun, options.wait);
    });
}

function bulkQuery(options: ReplayOptions): Record<string, unknown> {
  const query: Record<string, unknown> = {
    app_id: options.queryAppId,
    topic_id: options.queryTopicId,
    dispatcher_id: options.queryDispatcherId,
    status: options.queryStatus,
    delivery_status: options.queryDeliveryStatus,
    since: options.since === undefined ? undefined : parseTime(options.since, '--since'),
    until: options.until === undefined ? undefined : parseTime(options.until, '--until'),
    event_ids: options.eventId,
  };
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}

async function startAndFollow(
  command: Command,
  client: AdminClient,
  path: string,
  body: Record<string, unknown>,
  dryRun: boolean,
  wait: boolean,
): Promise<void> {
  const { output } = globalOptions(command);
  const started = await client.request<{ replay_id?: string; matched?: number }>('POST', path, { body });
  if (dryRun || started.replay_id === undefined) {
    printResult(output, started, () => `dry run: ${String(started.matched ?? 0)} event(s) match; nothing was replayed\n`);
    return;
  }
  if (!wait) {
    printResult(output, started, () => `replay ${started.replay_id ?? ''} started: ${String(started.matched ?? 0)} event(s) matched\n`);
    return;
  }
  const final = await followReplay(client, started.replay_id);
  if (output === 'json') printJson(final);
  else {
    process.stdout.write(
      renderTable(
        [
          { header: 'replay_id', value: (j: ReplayJob) => j.replay_id },
          { header: 'status', value: (j: ReplayJob) => j.status },
          { header: 'matched', value: (j: ReplayJob) => j.matched },
          { header: 'replayed', value: (j: ReplayJob) => j.replayed },
          { header: 'skipped', value: (j: ReplayJob) => j.skipped },
          { header: 'failed', value: (j: ReplayJob) => j.failed },
        ],
        [final.replay],
      ),
    );
  }
  const job = final.replay;
  if (FAILED.has(job.status)) {
    throw new EventyardError(
      CliErrors.EY_CLI_REPLAY_FAILED,
      `eventyard: replay ${job.replay_id} ${job.status}${typeof job.error === 'string' && job.error !== '' ? `: ${job.error}` : ''} (${progressText(job)})`,
    );
  }
}

/** Polls the job until it ends, drawing progress on stderr: rewritten in place on a TTY, periodic lines otherwise. */
async function followReplay(client: AdminClient, replayId: string): Promise<{ replay: ReplayJob }> {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  for (;;) {
    const answer = await client.request<{ replay: ReplayJob }>('GET', pathOf('/v1/replays', replayId));
    const job = answer.replay;
    const done = SUCCEEDED.has(job.status) || FAILED.has(job.status);
    const line = `replay ${replayId}: ${job.status}, ${progressText(job)}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}${done ? '\n' : ''}`);
    else if (done || Date.now() - lastLine >= LINE_EVERY_MS) {
      process.stderr.write(`${line}\n`);
      lastLine = Date.now();
    }
    if (done) return answer;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function progressText(job: ReplayJob): string {
  const matched = job.matched ?? 0;
  const replayed = job.replayed ?? 0;
  const done = replayed + (job.skipped ?? 0) + (job.failed ?? 0);
  const percent = matched === 0 ? 100 : Math.min(100, Math.floor((done * 100) / matched));
  return `${replayed}/${matched} replayed, ${job.skipped ?? 0} skipped, ${job.failed ?? 0} failed (${percent}%)`;
}

function countOf(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  return typeof value === 'number' ? String(value) : '0';
}

/** `(billing, shipping)`, or for skipped targets `(audit: paused)`. */
function listOf(value: unknown): string {
  if (!Array.isArray(value) || value.length === 0) return '';
  const names = value.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) return String(item);
    const target = item as { dispatcher_id?: unknown; reason?: unknown };
    return `${String(target.dispatcher_id)}${target.reason === undefined ? '' : `: ${String(target.reason)}`}`;
  });
  return ` (${names.join(', ')})`;
}
