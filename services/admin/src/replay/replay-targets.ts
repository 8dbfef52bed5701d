// Who a replayed event goes to. By default routing is re-run against the processors of the event's
// (app_id, topic_id) as they are now, with the router's own filter code (stopped ones and filtered-out
// ones are skipped, with the reason); `original_targets` takes the processors the event reached the first
// time (its delivery rows that are not `filtered`); a named processor is the only target.
import { getProcessor, listProcessors, type DeliveryStatus, type EventRecord, type Knex, type ProcessorRecord } from '@eventyard/db';
import { compileProcessorFilters, evaluateEvent, prepareEvent, type ProcessorFilters } from '@eventyard/evhub';

export type TargetMode = { kind: 'routing' } | { kind: 'original' } | { kind: 'processor'; dispatcherId: string };

export type SkipReason = 'stopped' | 'filtered_by_tag' | 'filtered_by_filter' | 'invalid_filter' | 'deleted' | 'not_subscribed';

export interface Skipped {
  dispatcher_id: string;
  reason: SkipReason;
}

/** What an event's existing delivery rows say (for original targets and the occurrence to replay). */
export interface KnownDelivery {
  dispatcher_id: string;
  status: DeliveryStatus;
  repeat_times: number;
}

export interface TargetPlan {
  targets: ProcessorRecord[];
  skipped: Skipped[];
}

interface CompiledProcessor {
  processor: ProcessorRecord;
  /** null when the stored filter does not compile: like the router, such a processor matches nothing. */
  filters: ProcessorFilters | null;
}

/**
 * Plans targets for many events, loading and compiling each (app_id, topic_id)'s processors once.
 * Build one per request or per batch: it caches the processors as they were when first asked.
 */
export class TargetPlanner {
  readonly #knex: Knex;
  readonly #mode: TargetMode;
  readonly #byTopic = new Map<string, Promise<CompiledProcessor[]>>();
  readonly #byId = new Map<string, Promise<ProcessorRecord | undefined>>();

  constructor(knex: Knex, mode: TargetMode) {
    this.#knex = knex;
    this.#mode = mode;
  }

  async plan(event: EventRecord, known: readonly KnownDelivery[]): Promise<TargetPlan> {
    const mode = this.#mode;
    if (mode.kind === 'processor') return this.#named(event, [mode.dispatcherId]);
    if (mode.kind === 'original') {
      const reached = known.filter((d) => d.status !== 'filtered').map((d) => d.dispatcher_id);
      const plan = await this.#named(event, reached);
      // Replaying to a processor that stopped since would override EvHub's stop flag: skipped, as routing does.
      return {
        targets: plan.targets.filter((p) => !p.is_stop),
        skipped: [...plan.skipped, ...plan.targets.filter((p) => p.is_stop).map((p) => ({ dispatcher_id: p.dispatcher_id, reason: 'stopped' as const }))],
      };
    }
    const prepared = prepareEvent({ tags: tagsOf(event.event_comm), data: event.payload ?? Buffer.alloc(0) });
    const plan: TargetPlan = { targets: [], skipped: [] };
    for (const { processor, filters } of await this.#processorsOf(event.app_id, event.topic_id)) {
      const skip = (reason: SkipReason) => plan.skipped.push({ dispatcher_id: processor.dispatcher_id, reason });
      if (processor.is_stop) skip('stopped');
      // A broadcast reached every active processor regardless of filters when routed; so does its replay.
      else if (event.broadcast) plan.targets.push(processor);
      else if (filters === null) skip('invalid_filter');
      else {
        const decision = evaluateEvent(filters, prepared);
        if (decision.matched) plan.targets.push(processor);
        else skip(decision.reason === 'tag' ? 'filtered_by_tag' : 'filtered_by_filter');
      }
    }
    return plan;
  }

  /** Named processors, as they are now: deleted ones and ones moved to another topic are skipped. */
  async #named(event: EventRecord, dispatcherIds: readonly string[]): Promise<TargetPlan> {
    const plan: TargetPlan = { targets: [], skipped: [] };
    for (const dispatcherId of dispatcherIds) {
      const processor = await this.#processor(dispatcherId);
      if (processor === undefined) plan.skipped.push({ dispatcher_id: dispatcherId, reason: 'deleted' });
      else if (processor.app_id !== event.app_id || processor.topic_id !== event.topic_id)
        plan.skipped.push({ dispatcher_id: dispatcherId, reason: 'not_subscribed' });
      else plan.targets.push(processor);
    }
    return plan;
  }

  #processor(dispatcherId: string): Promise<ProcessorRecord | undefined> {
    let found = this.#byId.get(dispatcherId);
    if (found === undefined) {
      found = getProcessor(this.#knex, dispatcherId);
      this.#byId.set(dispatcherId, found);
    }
    return found;
  }

  #processorsOf(appId: string, topicId: string): Promise<CompiledProcessor[]> {
    const key = `${appId}\u0000${topicId}`;
    let compiled = this.#byTopic.get(key);
    if (compiled === undefined) {
      compiled = listProcessors(this.#knex, { app_id: appId, topic_id: topicId }).then((processors) => processors.map(compile));
      this.#byTopic.set(key, compiled);
    }
    return compiled;
  }
}

function compile(processor: ProcessorRecord): CompiledProcessor {
  try {
    return { processor, filters: compileProcessorFilters({ filter_tag: processor.filter_tag, filter: processor.filter }) };
  } catch {
    return { processor, filters: null };
  }
}

/** `event_comm.event_tag.tag_list` of the stored event (JSON as the router recorded it). */
function tagsOf(eventComm: unknown): string[] {
  const list = (eventComm as { event_tag?: { tag_list?: unknown } } | null | undefined)?.event_tag?.tag_list;
  return Array.isArray(list) ? list.filter((tag): tag is string => typeof tag === 'string') : [];
}
