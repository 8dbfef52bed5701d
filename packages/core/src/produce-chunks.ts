// Produce requests under Kafka's size limit. A broker refuses a record batch over `message.max.bytes`
// (1,048,588 by default) or a topic's `max.message.bytes` with MESSAGE_TOO_LARGE, and kafkajs does not
// split a send by size: a round of large records would fail, be retried, and fail again forever. Every
// service's producer sends through sendInChunks, which cuts a batch into requests whose estimated
// encoded size stays under EY_KAFKA_MAX_BATCH_BYTES, in order (per-key order survives), and hands a
// record the broker still refuses on its own to the caller instead of retrying it.
import type { Message, Producer, TopicMessages } from 'kafkajs';

/** EY_KAFKA_MAX_BATCH_BYTES's default: below Kafka's default message.max.bytes (1,048,588) with room for framing. */
export const DEFAULT_MAX_BATCH_BYTES = 1_000_000;

/**
 * Room the router and the scheduler add around an event when they wrap it (a delivery task with its
 * processor id, a schedule item with its timer id and target topic, headers). The producer refuses an
 * event whose own record leaves less than this under EY_KAFKA_MAX_BATCH_BYTES, so no later stage has
 * to dead-letter it for its size.
 */
export const ROUTING_HEADROOM_BYTES = 8192;

/**
 * Upper bound of a decoded protobuf message's encoded size: every string's UTF-8 bytes and every
 * bytes field's length, plus 11 bytes (tag and length varints) per field. Cheaper than encoding it.
 */
export function estimateMessageBytes(value: unknown): number {
  if (typeof value === 'string') return 11 + Buffer.byteLength(value);
  if (value instanceof Uint8Array) return 11 + value.length;
  if (value === null || value === undefined) return 0;
  if (typeof value !== 'object') return 11;
  let bytes = 11;
  if (Array.isArray(value)) {
    for (const child of value) bytes += estimateMessageBytes(child);
    return bytes;
  }
  // Each key as a string child plus its value, as before, without building [key, value] pairs: this runs
  // on every Report and was the producer's largest function of its own (bench/profiles/).
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) bytes += 11 + Buffer.byteLength(key) + estimateMessageBytes(object[key]);
  return bytes;
}

/**
 * Upper bound of one record's size in a v2 record batch: its varint fields at their widest (length,
 * attributes, timestamp and offset deltas, key/value lengths, header count) plus key, value and each
 * header's name and value with their lengths.
 */
export function estimateRecordBytes(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  let bytes = 40 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += 10 + Buffer.byteLength(name);
    for (const one of Array.isArray(value) ? value : [value]) bytes += byteLength(one);
  }
  return bytes;
}

/** A record batch's header (61 bytes) and the request's topic and partition framing, per topic. */
function topicOverhead(topic: string): number {
  return 100 + Buffer.byteLength(topic);
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Cuts `topicMessages` into consecutive requests whose estimated size is at most `maxBytes`, keeping
 * every topic's records in order. A record larger than `maxBytes` on its own makes a request of its own
 * (callers refuse such records first; the broker has the last word).
 */
export function splitByBytes(topicMessages: readonly TopicMessages[], maxBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current = new Map<string, Message[]>();
  let bytes = 0;
  const flush = (): void => {
    if (current.size > 0) requests.push([...current].map(([topic, messages]) => ({ topic, messages })));
    current = new Map();
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = estimateRecordBytes(message);
      if (bytes > 0 && bytes + size + (current.has(topic) ? 0 : topicOverhead(topic)) > maxBytes) flush();
      let list = current.get(topic);
      if (list === undefined) {
        current.set(topic, (list = []));
        bytes += topicOverhead(topic);
      }
      list.push(message);
      bytes += size;
    }
  }
  flush();
  return requests;
}

/** Kafka refused the request as too large (MESSAGE_TOO_LARGE, or RECORD_LIST_TOO_LARGE). */
export function isMessageTooLarge(err: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (e: unknown): boolean => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const { type, cause, errors } = e as { type?: unknown; cause?: unknown; errors?: unknown };
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
    if (Array.isArray(errors) && errors.some(visit)) return true;
    return visit(cause);
  };
  return visit(err);
}

export interface SendInChunksOptions {
  /** Largest estimated request, bytes (EY_KAFKA_MAX_BATCH_BYTES). */
  maxBatchBytes: number;
  /** @default -1 (all in-sync replicas) */
  acks?: number;
  /** Broker-side wait for acknowledgements, ms. */
  timeout?: number;
  /**
   * Called with a record the broker refused as too large when sent alone. It returns what to send in
   * its place (a dead letter), or null to send nothing; without it the error is thrown.
   */
  onTooLarge?: (topic: string, message: Message, err: unknown) => { topic: string; message: Message } | null;
}

/**
 * Sends `topicMessages` as consecutive produce requests of at most `maxBatchBytes` each, awaiting each
 * before the next. When the broker still answers MESSAGE_TOO_LARGE (a topic with a smaller
 * max.message.bytes), the request is halved until the refused record stands alone, and that record goes
 * to `onTooLarge`, never into a retry loop.
 */
export async function sendInChunks(
  producer: Pick<Producer, 'sendBatch'>,
  topicMessages: readonly TopicMessages[],
  options: SendInChunksOptions,
): Promise<void> {
  for (const request of splitByBytes(topicMessages, options.maxBatchBytes)) await sendRequest(producer, request, options);
}

async function sendRequest(producer: Pick<Producer, 'sendBatch'>, request: TopicMessages[], options: SendInChunksOptions): Promise<void> {
  try {
    await producer.sendBatch({ acks: options.acks ?? -1, ...(options.timeout === undefined ? {} : { timeout: options.timeout }), topicMessages: request });
    return;
  } catch (err) {
    if (!isMessageTooLarge(err) || options.onTooLarge === undefined) throw err;
    const flat = request.flatMap(({ topic, messages }) => messages.map((message) => ({ topic, message })));
    if (flat.length === 1 && flat[0] !== undefined) {
      const instead = options.onTooLarge(flat[0].topic, flat[0].message, err);
      // The replacement is sent without a fallback of its own: a dead letter the broker refuses is an error.
      const { onTooLarge: _replaced, ...plain } = options;
      if (instead !== null) await sendRequest(producer, [{ topic: instead.topic, messages: [instead.message] }], plain);
      return;
    }
    const half = Math.ceil(flat.length / 2);
    for (const part of [flat.slice(0, half), flat.slice(half)]) await sendRequest(producer, regroup(part), options);
  }
}

function regroup(records: ReadonlyArray<{ topic: string; message: Message }>): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, message } of records) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
