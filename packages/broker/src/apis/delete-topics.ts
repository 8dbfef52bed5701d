// DeleteTopics (v0-1): removes the topic's logs and every group's committed offsets for it, as Kafka's
// coordinator does when partitions are deleted.
import { ErrorCode } from '../protocol/index.ts';
import type { ApiHandler } from './context.ts';
import { errorCodeOf } from '../kafka-errors.ts';

export const handleDeleteTopics: ApiHandler<20> = async (deps, body) => {
  const responses = [];
  for (const name of body.topicNames) {
    try {
      await deps.logs.deleteTopic(name);
      await deps.logs.offsets.deleteTopic(name);
      deps.logger?.info({ topic: name }, 'deleted topic');
      responses.push({ name, errorCode: ErrorCode.NONE });
    } catch (err) {
      responses.push({ name, errorCode: errorCodeOf(err, deps.logger, { topic: name }) });
    }
  }
  return { throttleTimeMs: 0, responses };
};
