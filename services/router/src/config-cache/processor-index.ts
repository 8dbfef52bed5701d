// The routing index: every processor config, with its filters compiled once, grouped by
// (app_id, topic_id) so routing an event is one map lookup. Immutable: a reload builds a new index and
// swaps it in, so a routing round always sees one consistent set of processors.
import { Topics } from '@eventyard/core';
import type { ProcessorRecord } from '@eventyard/db';
import { compileProcessorFilters, type ProcessorFilters } from '@eventyard/evhub';

/** What routing needs to know about one processor. */
export interface RouteTarget {
  readonly dispatcherId: string;
  readonly appId: string;
  readonly topicId: string;
  /** eventyard.deliveries.<dispatcher_id> */
  readonly deliveryTopic: string;
  /**
   * False when `is_stop` is set: the processor gets neither a task nor a delivery row. A paused processor
   * stays active: its tasks wait in its delivery topic, which the dispatcher does not consume until resumed.
   */
  readonly active: boolean;
  /** Compiled filters; null when the stored filter does not compile (the processor then matches nothing). */
  readonly filters: ProcessorFilters | null;
  /** EvHub's `delay_process_key`; '' = none. */
  readonly delayProcessKey: string;
  /** Config version, so a log line about a bad filter can say which save it was. */
  readonly version: number;
}

/** A processor whose stored filter did not compile, and why. */
export interface FilterProblem {
  readonly dispatcherId: string;
  readonly version: number;
  readonly error: unknown;
}

const NONE: readonly RouteTarget[] = Object.freeze([]);

export class ProcessorIndex {
  readonly #byTopic: ReadonlyMap<string, readonly RouteTarget[]>;
  readonly #byDispatcher: ReadonlyMap<string, { target: RouteTarget; problem?: FilterProblem }>;
  /** Every processor, by dispatcher_id. */
  readonly targets: readonly RouteTarget[];
  /** Processors whose stored filter failed to compile (they match nothing until fixed). */
  readonly filterProblems: readonly FilterProblem[];

  private constructor(targets: readonly RouteTarget[], problems: readonly FilterProblem[]) {
    const byTopic = new Map<string, RouteTarget[]>();
    for (const target of targets) {
      const key = topicKey(target.appId, target.topicId);
      let list = byTopic.get(key);
      if (list === undefined) byTopic.set(key, (list = []));
      list.push(target);
    }
    this.#byTopic = byTopic;
    const problemOf = new Map(problems.map((p) => [p.dispatcherId, p]));
    this.#byDispatcher = new Map(
      targets.map((target) => {
        const problem = problemOf.get(target.dispatcherId);
        return [target.dispatcherId, problem === undefined ? { target } : { target, problem }];
      }),
    );
    this.targets = Object.freeze([...targets]);
    this.filterProblems = Object.freeze([...problems]);
  }

  static readonly empty: ProcessorIndex = new ProcessorIndex([], []);

  /**
   * Builds an index from stored processor configs. Never throws on a bad stored filter: the admin API
   * validates filters on save, but a row written another way (or by an older/newer version) must not
   * stop the router; such a processor is listed in filterProblems and matches nothing.
   */
  static build(processors: readonly ProcessorRecord[], previous?: ProcessorIndex): ProcessorIndex {
    const targets: RouteTarget[] = [];
    const problems: FilterProblem[] = [];
    const unchanged = previous === undefined ? undefined : previous.#byDispatcher;
    for (const p of processors) {
      // Every write bumps `version`: an unchanged processor keeps its compiled filters across reloads.
      const before = unchanged?.get(p.dispatcher_id);
      if (before !== undefined && before.target.version === p.version) {
        targets.push(before.target);
        if (before.problem !== undefined) problems.push(before.problem);
        continue;
      }
      let filters: ProcessorFilters | null;
      try {
        filters = compileProcessorFilters({ filter_tag: p.filter_tag, filter: p.filter });
      } catch (error) {
        filters = null;
        problems.push({ dispatcherId: p.dispatcher_id, version: p.version, error });
      }
      targets.push(
        Object.freeze({
          dispatcherId: p.dispatcher_id,
          appId: p.app_id,
          topicId: p.topic_id,
          deliveryTopic: Topics.deliveries(p.dispatcher_id),
          active: !p.is_stop,
          filters,
          delayProcessKey: p.delay_process_key,
          version: p.version,
        }),
      );
    }
    return new ProcessorIndex(targets, problems);
  }

  /** Processors subscribed to (app_id, topic_id), stopped ones included, ordered by dispatcher_id. */
  targetsOf(appId: string, topicId: string): readonly RouteTarget[] {
    return this.#byTopic.get(topicKey(appId, topicId)) ?? NONE;
  }
}

// NUL cannot occur in Postgres text, so it cannot occur in a stored app_id or topic_id.
function topicKey(appId: string, topicId: string): string {
  return `${appId}\u0000${topicId}`;
}
