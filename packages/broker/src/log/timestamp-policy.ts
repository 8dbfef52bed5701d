// What Kafka's LogValidator does with timestamps on append, per topic config: under CreateTime every
// record's timestamp must lie within message.timestamp.before/after.max.ms (or the older
// difference.max.ms) of the broker's clock, else the whole append fails with INVALID_TIMESTAMP; under
// LogAppendTime each batch is stamped with the broker's time (a producer may not claim that type).
import { ErrorCode, KafkaError } from '../kafka-errors.ts';
import { Attributes, recordTimestamps, setLogAppendTime, type BatchHeader } from './record-batch.ts';
import type { TopicConfig } from './topic-config.ts';

/** RecordBatch.NO_TIMESTAMP: a record without a timestamp is never out of range. */
const NO_TIMESTAMP = -1n;

/**
 * Checks and stamps the batches of one append in place (`headers` are updated with the buffer).
 * Returns the log append time to report in the Produce response: `now` under LogAppendTime, else -1.
 */
export function applyTimestampPolicy(records: Buffer, headers: BatchHeader[], config: TopicConfig, now: bigint): bigint {
  if (config.messageTimestampType === 'LogAppendTime') {
    for (const h of headers) {
      if ((h.attributes & Attributes.TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
        throw new KafkaError(
          ErrorCode.INVALID_TIMESTAMP,
          `Invalid timestamp type in batch at offset ${h.baseOffset}. Producer should not set timestamp type to LogAppendTime.`,
        );
      }
    }
    for (const h of headers) setLogAppendTime(records, h, now);
    return now;
  }
  const before = config.messageTimestampBeforeMaxMs;
  const after = config.messageTimestampAfterMaxMs;
  for (const h of headers) {
    // Compressed batches are not decompressed here: their first and largest timestamps stand for their records.
    const timestamps = recordTimestamps(records, h, h.position) ?? [
      { offsetDelta: 0n, timestamp: h.baseTimestamp },
      { offsetDelta: BigInt(h.lastOffsetDelta), timestamp: h.maxTimestamp },
    ];
    for (const { offsetDelta, timestamp } of timestamps) {
      if (timestamp !== NO_TIMESTAMP && (now - timestamp > before || timestamp - now > after)) {
        throw new KafkaError(
          ErrorCode.INVALID_TIMESTAMP,
          `Timestamp ${timestamp} of message with offset ${h.baseOffset + offsetDelta} is out of range. The timestamp should be within [${now - before}, ${now + after}]`,
        );
      }
    }
  }
  return NO_TIMESTAMP;
}
