// Every Kafka topic name Eventyard uses, in one place. A dispatcher_id becomes part of a topic name, so
// it is validated against Kafka's rules wherever it is accepted.
import { ValidationError } from './errors.ts';
import { CoreErrors } from './error-codes.ts';

export const DELIVERY_TOPIC_PREFIX = 'eventyard.deliveries.';

export const Topics = {
  /** Reported and released events, waiting to be routed. Key: orderingKey or event_id. */
  ingest: 'eventyard.ingest',
  /** Timers for the delay-scheduler: delays, repeats, retries, check-backs. */
  schedule: 'eventyard.schedule',
  /** Deliveries whose attempts are exhausted. */
  dead: 'eventyard.dead',
  /**
   * Every delivery status change as it is recorded in the history (JSON, the versioned shape of
   * @eventyard/evhub's status-change.ts), for the admin's watch streams and for anyone who would rather
   * consume. Key: event_id (processor state changes: dispatcher_id).
   */
  status: 'eventyard.status',
  /** One delivery topic per processor, so a slow consumer never delays another. */
  deliveries: (dispatcherId: string): string => `${DELIVERY_TOPIC_PREFIX}${dispatcherId}`,
} as const;

/** Consumer group ids, one place for every service that joins a group or reads its lag (the admin stats route). */
export const ConsumerGroups = {
  /** A processor's consumers on its delivery topic, shared by every dispatcher instance. */
  dispatcher: (dispatcherId: string): string => `eventyard-dispatcher.${dispatcherId}`,
  /** A source's consumers on its topic (on its own cluster or Eventyard's), shared by every producer instance. */
  source: (sourceId: string): string => `eventyard-source.${sourceId}`,
} as const;

/** Kafka's limit on topic names. */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Returns a message saying what is wrong with a topic name, or null when Kafka would accept it. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `must be at most ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!LEGAL_TOPIC_CHARS.test(name)) return 'may contain only ASCII letters, digits, ".", "_" and "-"';
  return null;
}

/** Throws a ValidationError naming `fieldName` when `dispatcherId` cannot be part of a delivery topic. */
export function assertValidDispatcherId(dispatcherId: string, fieldName = 'dispatcher_id'): void {
  const maxLength = MAX_TOPIC_NAME_LENGTH - DELIVERY_TOPIC_PREFIX.length;
  let problem: string | null;
  if (dispatcherId.length > maxLength) problem = `must be at most ${maxLength} characters`;
  else problem = topicNameProblem(dispatcherId);
  if (problem !== null) {
    throw new ValidationError(CoreErrors.EY_INVALID_DISPATCHER_ID, `${fieldName} ${problem}`, { context: { field: fieldName } });
  }
}
