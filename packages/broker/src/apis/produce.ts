// Produce (v3-7): appends each partition's record batches to its log. acks -1 and 1 both answer once
// the append is durable under the flush policy; acks 0 appends the same way but sends no response.
import { ErrorCode, type ProduceResponsePartitionProduceResponse } from '../protocol/index.ts';
import { CloseConnectionError, type ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

function failed(index: number, errorCode: number): ProduceResponsePartitionProduceResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

export const handleProduce: ApiHandler<0> = async (deps, body) => {
  const validAcks = body.acks === -1 || body.acks === 0 || body.acks === 1;
  // Partitions are appended concurrently; each partition log serialises its own appends.
  const responses = await Promise.all(
    body.topicData.map(async (topic) => ({
      name: topic.name,
      partitionResponses: await Promise.all(
        topic.partitionData.map(async (p): Promise<ProduceResponsePartitionProduceResponse> => {
          if (!validAcks) return failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
          const log = deps.logs.partition(topic.name, p.index);
          if (log === undefined) return failed(p.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          if (p.records === null || p.records.length === 0) return failed(p.index, ErrorCode.CORRUPT_MESSAGE);
          try {
            const appended = await log.append(p.records);
            return {
              index: p.index,
              errorCode: ErrorCode.NONE,
              baseOffset: appended.baseOffset,
              logAppendTimeMs: appended.logAppendTime,
              logStartOffset: appended.logStartOffset,
            };
          } catch (err) {
            return failed(p.index, errorCodeOf(err, deps.logger, { topic: topic.name, partition: p.index }));
          }
        }),
      ),
    })),
  );
  if (body.acks === 0) {
    // No response to carry the error, so Kafka closes the connection: the producer then refreshes metadata.
    const failure = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    if (failure) throw new CloseConnectionError('acks=0 produce failed');
    return null;
  }
  return { responses, throttleTimeMs: 0 };
};
