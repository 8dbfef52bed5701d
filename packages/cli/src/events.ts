// `eventyard events get|list`: the delivery history. `get` shows one event, then its deliveries (one per
// processor) and every attempt; `list` queries events page by page (`--all` follows next_cursor).
import type { Command } from 'commander';
import { adminClientFor, fetchAllPages, globalOptions, pathOf } from './admin-client.ts';
import { cell, printResult, renderTable, type Column } from './output.ts';
import { parseLimit, parseTime } from './cli-values.ts';

type Row = Record<string, unknown>;

interface EventAnswer {
  event: Row;
  next_due_at: string | null;
  deliveries: Array<Row & { attempts?: Row[] }>;
}

const EVENT_COLUMNS: Column<Row>[] = [
  { header: 'event_id', value: (e) => e.event_id },
  { header: 'app_id', value: (e) => e.app_id },
  { header: 'topic_id', value: (e) => e.topic_id },
  { header: 'status', value: (e) => e.status },
  { header: 'created_at', value: (e) => e.created_at },
];

const DELIVERY_COLUMNS: Column<Row>[] = [
  { header: 'dispatcher_id', value: (d) => d.dispatcher_id },
  { header: 'status', value: (d) => d.status },
  { header: 'attempts', value: (d) => d.attempt_count },
  { header: 'retry_source', value: (d) => d.retry_source },
  { header: 'next_due_at', value: (d) => d.next_due_at },
  { header: 'last_error', value: (d) => truncate(d.last_error, 60) },
];

const ATTEMPT_COLUMNS: Column<Row>[] = [
  { header: 'dispatcher_id', value: (a) => a.dispatcher_id },
  { header: 'attempt', value: (a) => a.attempt_no },
  { header: 'source', value: (a) => a.retry_source },
  { header: 'outcome', value: (a) => a.outcome },
  { header: 'started_at', value: (a) => a.started_at },
  { header: 'latency_ms', value: (a) => a.latency_ms },
  { header: 'error', value: (a) => truncate(a.error_message ?? (a.response_status === null ? null : `HTTP ${String(a.response_status)}`), 60) },
];

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('delivery history: one event with its deliveries and attempts, or a query');

  events
    .command('get')
    .description('an event, its delivery to each processor and every attempt')
    .argument('<event_id>')
    .action(async (eventId: string, _options: unknown, command: Command) => {
      const answer = await adminClientFor(command).request<EventAnswer>('GET', pathOf('/v1/events', eventId));
      printResult(globalOptions(command).output, answer, () => renderEvent(answer));
    });

  events
    .command('list')
    .description('events matching a query, newest first (one page unless --all)')
    .option('--app-id <app_id>')
    .option('--topic-id <topic_id>')
    .option('--status <status>', 'event status (routed, no_subscribers, …)')
    .option('--dispatcher-id <id>', 'events delivered to this processor')
    .option('--delivery-status <status>', 'events with a delivery in this status (dead, failed, succeeded, …; a,b for several)')
    .option('--outcome <outcome>', 'events with an attempt that ended success or failure')
    .option('--retry-source <source>', 'events with an attempt started auto (routing, retries) or manual (replay, redrive)')
    .option('--event-id <ids>', 'only these events (a,b,c)')
    .option('--since <time>', 'ISO 8601 time, or an age such as 1h')
    .option('--until <time>', 'ISO 8601 time, or an age such as 10m')
    .option('--limit <n>', 'page size')
    .option('--all', 'follow next_cursor to the last page', false)
    .action(async (options: EventListOptions, command: Command) => {
      const client = adminClientFor(command);
      const query = eventQuery(options);
      const { output } = globalOptions(command);
      if (options.all) {
        const all = await fetchAllPages<Row>(client, '/v1/events', 'events', query);
        printResult(output, { ret: { code: 0, msg: 'success' }, events: all, next_cursor: null }, () => renderTable(EVENT_COLUMNS, all));
        return;
      }
      const answer = await client.request<{ events: Row[]; next_cursor: string | null }>('GET', '/v1/events', { query });
      printResult(
        output,
        answer,
        () =>
          `${renderTable(EVENT_COLUMNS, answer.events)}${answer.next_cursor === null ? '' : `(more: --all, or the admin API with cursor=${answer.next_cursor})\n`}`,
      );
    });
}

interface EventListOptions {
  appId?: string;
  topicId?: string;
  status?: string;
  dispatcherId?: string;
  deliveryStatus?: string;
  outcome?: string;
  retrySource?: string;
  eventId?: string;
  since?: string;
  until?: string;
  limit?: string;
  all: boolean;
}

function eventQuery(options: EventListOptions): Record<string, string | number | undefined> {
  return {
    app_id: options.appId,
    topic_id: options.topicId,
    status: options.status,
    dispatcher_id: options.dispatcherId,
    delivery_status: options.deliveryStatus,
    outcome: options.outcome,
    retry_source: options.retrySource,
    event_id: options.eventId,
    since: options.since === undefined ? undefined : parseTime(options.since, '--since'),
    until: options.until === undefined ? undefined : parseTime(options.until, '--until'),
    limit: options.limit === undefined ? undefined : parseLimit(options.limit, '--limit', 1000),
  };
}

function renderEvent(answer: EventAnswer): string {
  const { event } = answer;
  const payload = (event.payload ?? {}) as Row;
  const body = 'json' in payload ? JSON.stringify(payload.json) : payload.base64 === null ? '(pruned)' : `base64 ${String(payload.base64)}`;
  const head = renderTable<[string, unknown]>(
    [
      { header: 'event', value: ([name]) => name },
      { header: '', value: ([, value]) => value },
    ],
    [
      ['event_id', event.event_id],
      ['app_id/topic_id', `${String(event.app_id)}/${String(event.topic_id)}`],
      ['status', event.status],
      ['trigger_type', event.trigger_type],
      ['ordering_key', event.ordering_key],
      ['broadcast', event.broadcast],
      ['payload', `${String(payload.size)} bytes: ${truncate(body, 100) ?? ''}`],
      ['created_at', event.created_at],
      ['next_due_at', answer.next_due_at],
    ],
  );
  const attempts = answer.deliveries.flatMap((delivery) => (delivery.attempts ?? []).map((attempt) => ({ dispatcher_id: delivery.dispatcher_id, ...attempt })));
  const deliveries = answer.deliveries.length === 0 ? 'no deliveries\n' : renderTable(DELIVERY_COLUMNS, answer.deliveries);
  return `${head}\n${deliveries}${attempts.length === 0 ? '' : `\n${renderTable(ATTEMPT_COLUMNS, attempts)}`}`;
}

function truncate(value: unknown, max: number): string | null {
  if (value === null || value === undefined) return null;
  const text = cell(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
