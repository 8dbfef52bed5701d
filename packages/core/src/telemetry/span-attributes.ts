// Span names and attributes after OpenTelemetry's messaging and RPC semantic conventions, plus the
// event's own ids. Written out here (not imported from @opentelemetry/semantic-conventions) so the
// pass-through path, with no exporter, loads nothing of OpenTelemetry.
import type { SpanAttributes } from './tracing.ts';

/** The ids of the event a span is about (namespaced as OpenTelemetry asks of non-standard attributes). */
export interface EventIds {
  event_id?: string | undefined;
  app_id?: string | undefined;
  topic_id?: string | undefined;
  dispatcher_id?: string | undefined;
}

export function eventAttributes(ids: EventIds): SpanAttributes {
  return {
    'eventyard.event_id': ids.event_id,
    'eventyard.app_id': ids.app_id,
    'eventyard.topic_id': ids.topic_id,
    'eventyard.dispatcher_id': ids.dispatcher_id,
  };
}

export type MessagingOperation = 'send' | 'process';

/** `send eventyard.ingest`, `process eventyard.deliveries.x`: messaging span names. */
export function messagingSpanName(operation: MessagingOperation, topic: string): string {
  return `${operation} ${topic}`;
}

export interface MessagingAttributes extends EventIds {
  operation: MessagingOperation;
  topic: string;
  consumerGroup?: string | undefined;
  partition?: number | undefined;
}

/** Kafka messaging attributes; the event id is the message id. */
export function messagingAttributes(options: MessagingAttributes): SpanAttributes {
  return {
    'messaging.system': 'kafka',
    'messaging.operation.type': options.operation,
    'messaging.operation.name': options.operation,
    'messaging.destination.name': options.topic,
    'messaging.consumer.group.name': options.consumerGroup,
    'messaging.destination.partition.id': options.partition === undefined ? undefined : String(options.partition),
    'messaging.message.id': options.event_id,
    ...eventAttributes(options),
  };
}

/** gRPC call attributes (server or client side). */
export function rpcAttributes(service: string, method: string, extra: SpanAttributes = {}): SpanAttributes {
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, ...extra };
}

/** Span events recorded by the pipeline (names stable: dashboards and tests look for them). */
export const SpanEvents = {
  /** The router: a processor's filter did not match. */
  filtered: 'eventyard.filtered',
  /** The router: no active processor subscribes to the topic. */
  noSubscribers: 'eventyard.no_subscribers',
  /** A record or delivery went to eventyard.dead. */
  deadLettered: 'eventyard.dead_lettered',
  /** The dispatcher scheduled a next attempt. */
  retryScheduled: 'eventyard.retry_scheduled',
} as const;
