// Replays a batch of recorded events: plans each one's targets, produces one manual DeliveryTask per
// target to its delivery topic (acks = all), then sets those deliveries back to `pending`. The single-event
// route and the job runner both come through here, so a replay looks the same however it was asked for.
// Each replayed event's tasks continue the event's trace (replay-span.ts).
import { byTopic as groupByTopic, Topics, withTraceParent, type TraceSpan } from '@eventyard/core';
import { databaseNow, deliveryInputStatusChange, markDeliveriesPending, type EventRecord, type Knex, type PendingDelivery } from '@eventyard/db';
import { statusChangeRecord } from '@eventyard/evhub';
import { encodeMessage } from '@eventyard/proto';
import type { Message } from 'kafkajs';
import type { KafkaLink } from '../kafka/kafka-link.ts';
import { endReplaySpans, startReplaySpan } from './replay-span.ts';
import type { KnownDelivery, Skipped, TargetPlanner } from './replay-targets.ts';

/** Header carried by every delivery record, as the router sets it. */
const EVENT_ID_HEADER = 'ey-event-id';

export interface ReplayDeps {
  knex: Knex;
  kafka: KafkaLink;
}

export type EventReplay =
  | { event_id: string; outcome: 'replayed' | 'skipped'; replayed: string[]; skipped: Skipped[] }
  /** Retention removed the payload: nothing can be delivered. */
  | { event_id: string; outcome: 'pruned'; pruned_at: Date }
  /** The stored event does not make a DeliveryTask (a row written by something other than the router). */
  | { event_id: string; outcome: 'unencodable'; error: unknown };

/**
 * Replays `events` (in order) through `planner`. Resolves once every task is acknowledged by the broker
 * and the delivery rows say `pending`; a Kafka failure rejects (EY_KAFKA_UNAVAILABLE) before any row
 * was touched, so a failed replay can simply be asked for again.
 */
export async function replayEvents(deps: ReplayDeps, events: readonly EventRecord[], planner: TargetPlanner): Promise<EventReplay[]> {
  if (events.length === 0) return [];
  const known = await knownDeliveries(
    deps.knex,
    events.map((e) => e.event_id),
  );
  const results: EventReplay[] = [];
  const byTopic = new Map<string, Message[]>();
  const pending: PendingDelivery[] = [];
  const spans: TraceSpan[] = [];
  for (const event of events) {
    if (event.payload_pruned_at !== null) {
      results.push({ event_id: event.event_id, outcome: 'pruned', pruned_at: event.payload_pruned_at });
      continue;
    }
    const deliveries = known.get(event.event_id) ?? [];
    const plan = await planner.plan(event, deliveries);
    // Encoded before anything is queued, so one bad row fails alone instead of failing its whole batch.
    let records: Array<{ topic: string; message: Message; row: PendingDelivery }>;
    const span =
      plan.targets.length === 0
        ? undefined
        : startReplaySpan(
            event,
            plan.targets.map((p) => p.dispatcher_id),
          );
    try {
      records = plan.targets.map((target) => {
        // A repeat event replays one occurrence: the latest one this processor got (0 if none yet).
        const repeatTimes = deliveries.find((d) => d.dispatcher_id === target.dispatcher_id)?.repeat_times ?? 0;
        return {
          topic: Topics.deliveries(target.dispatcher_id),
          message: taskRecord(event, target.dispatcher_id, repeatTimes, span?.traceParent ?? ''),
          row: { event_id: event.event_id, dispatcher_id: target.dispatcher_id, app_id: event.app_id, topic_id: event.topic_id, repeat_times: repeatTimes },
        };
      });
    } catch (error) {
      if (span !== undefined) endReplaySpans([span], error);
      results.push({ event_id: event.event_id, outcome: 'unencodable', error });
      continue;
    }
    if (span !== undefined) spans.push(span);
    for (const { topic, message, row } of records) {
      let messages = byTopic.get(topic);
      if (messages === undefined) byTopic.set(topic, (messages = []));
      messages.push(message);
      pending.push(row);
    }
    const replayed = plan.targets.map((p) => p.dispatcher_id);
    results.push({ event_id: event.event_id, outcome: replayed.length > 0 ? 'replayed' : 'skipped', replayed, skipped: plan.skipped });
  }
  // Taken before producing: a dispatcher that records its attempt after this instant keeps its outcome.
  const before = await databaseNow(deps.knex);
  // Their `pending` status changes go in the same send, ahead of the tasks, so a watcher sees `pending`
  // before whatever the dispatcher records for the replayed attempt.
  const status = groupByTopic(pending.map((row) => statusChangeRecord(deliveryInputStatusChange({ ...row, status: 'pending' }))));
  try {
    await deps.kafka.sendAll([...status, ...[...byTopic].map(([topic, messages]) => ({ topic, messages }))]);
  } catch (err) {
    endReplaySpans(spans, err);
    throw err;
  }
  endReplaySpans(spans);
  await markDeliveriesPending(deps.knex, pending, before);
  return results;
}

/**
 * The DeliveryTask of a replay: a fresh first attempt (retry_times 0, so the processor's whole retry
 * budget), real-time (no scheduled_for: delays and delay-process waits are not re-applied), marked
 * `manual` so the dispatcher records the attempt as an operator's and does not chain repeat occurrences.
 */
function taskRecord(event: EventRecord, dispatcherId: string, repeatTimes: number, traceParent: string): Message {
  const value = encodeMessage('eventyard.v1.DeliveryTask', {
    event_id: event.event_id,
    event: {
      app_id: event.app_id,
      topic_id: event.topic_id,
      ...(event.event_comm === null ? {} : { event_comm: event.event_comm as never }),
      data: event.payload ?? Buffer.alloc(0),
    },
    ...(event.trigger === null ? {} : { trigger: event.trigger }),
    dispatcher_id: dispatcherId,
    retry_times: 0,
    repeat_times: repeatTimes,
    reported_at: timestamp(event.created_at),
    trigger_source: 'manual',
    trace_parent: traceParent,
  });
  // The router's key: a replay lands on the partition of the key's other deliveries.
  const key = event.ordering_key === null || event.ordering_key === '' ? event.event_id : event.ordering_key;
  return { key: Buffer.from(key, 'utf8'), value, headers: withTraceParent({ [EVENT_ID_HEADER]: event.event_id }, traceParent) };
}

async function knownDeliveries(knex: Knex, eventIds: readonly string[]): Promise<Map<string, KnownDelivery[]>> {
  const rows = (await knex('deliveries')
    .select('event_id', 'dispatcher_id', 'status', 'repeat_times')
    .whereIn('event_id', [...eventIds])) as Array<KnownDelivery & { event_id: string }>;
  const byEvent = new Map<string, KnownDelivery[]>();
  for (const row of rows) {
    const id = String(row.event_id);
    let list = byEvent.get(id);
    if (list === undefined) byEvent.set(id, (list = []));
    list.push({ dispatcher_id: row.dispatcher_id, status: row.status, repeat_times: row.repeat_times });
  }
  return byEvent;
}

function timestamp(date: Date): { seconds: string; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
