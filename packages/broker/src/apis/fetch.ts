// Fetch (v4-11): reads whole batches from each requested partition, waiting up to max_wait_ms for
// min_bytes (woken by appends). Byte limits follow KIP-74: the first non-empty partition always yields
// at least one whole batch, later partitions only what fits in partition_max_bytes and the response's
// remaining max_bytes. Without transactions the last stable offset is the high watermark. No fetch
// sessions (KIP-227): every response is full and carries session id 0, which clients accept as "none".
import { ErrorCode, type FetchRequest, type FetchResponseFetchableTopicResponse, type FetchResponsePartitionData } from '../protocol/index.ts';
import type { ApiDeps, ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

const EMPTY = Buffer.alloc(0);
const READ_COMMITTED = 1;

interface ReadResult {
  responses: FetchResponseFetchableTopicResponse[];
  bytes: number;
  /** Any partition answered with an error: Kafka responds at once instead of waiting. */
  errors: boolean;
}

function readAll(deps: ApiDeps, body: FetchRequest): ReadResult {
  let remaining = body.maxBytes;
  let minOneBatch = true;
  let bytes = 0;
  let errors = false;
  const aborted = body.isolationLevel === READ_COMMITTED ? [] : null;
  // One response entry per request entry, in order: a topic named twice is answered twice.
  const responses = body.topics.map((topic) => ({
    topic: topic.topic,
    partitions: topic.partitions.map((p): FetchResponsePartitionData => {
      const failed = (errorCode: number): FetchResponsePartitionData => {
        errors = true;
        return {
          partitionIndex: p.partition,
          errorCode,
          highWatermark: -1n,
          lastStableOffset: -1n,
          logStartOffset: -1n,
          abortedTransactions: aborted,
          preferredReadReplica: -1,
          records: EMPTY,
        };
      };
      const log = deps.logs.partition(topic.topic, p.partition);
      if (log === undefined) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      try {
        const limit = Math.max(0, Math.min(p.partitionMaxBytes, remaining));
        const read = log.read(p.fetchOffset, limit);
        let records = read.records;
        if (records.length > limit && !minOneBatch) records = EMPTY;
        if (records.length > 0) {
          minOneBatch = false;
          remaining -= records.length;
          bytes += records.length;
        }
        return {
          partitionIndex: p.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: read.highWatermark,
          lastStableOffset: read.highWatermark,
          logStartOffset: read.logStartOffset,
          abortedTransactions: aborted,
          preferredReadReplica: -1,
          records,
        };
      } catch (err) {
        return failed(errorCodeOf(err, deps.logger, { topic: topic.topic, partition: p.partition }));
      }
    }),
  }));
  return { responses, bytes, errors };
}

/** Resolves on the first append to any of the partitions, the deadline, or broker shutdown. */
function waitForData(deps: ApiDeps, body: FetchRequest, ms: number): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const unsubscribes: Array<() => void> = [];
  for (const topic of body.topics) {
    for (const p of topic.partitions) {
      const log = deps.logs.partition(topic.topic, p.partition);
      if (log !== undefined) unsubscribes.push(log.onAppend(() => resolve()));
    }
  }
  const timer = setTimeout(resolve, ms);
  const onAbort = () => resolve();
  deps.shutdown.addEventListener('abort', onAbort, { once: true });
  return promise.finally(() => {
    clearTimeout(timer);
    deps.shutdown.removeEventListener('abort', onAbort);
    for (const unsubscribe of unsubscribes) unsubscribe();
  });
}

export const handleFetch: ApiHandler<1> = async (deps, body, ctx) => {
  if (ctx.header.apiVersion >= 7) {
    const sessionId = body.sessionId ?? 0;
    const epoch = body.sessionEpoch ?? -1;
    // We never hand out a session id, so a client naming one (or an epoch past the initial one) is lost.
    if (sessionId !== 0) return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    if (epoch > 0) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] };
  }
  const deadline = Date.now() + Math.max(0, body.maxWaitMs);
  let result = readAll(deps, body);
  while (result.bytes < body.minBytes && !result.errors && !deps.shutdown.aborted) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    await waitForData(deps, body, left);
    result = readAll(deps, body);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses };
};
