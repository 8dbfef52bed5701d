// The broker's storage (Contract B): segment-file partition logs with recovery, topic metadata,
// committed offsets and idempotent-producer state.
//
//   const logs = await LogManager.open({ dataDir, flush: { mode: 'always' } });
//   await logs.createTopic('orders', 3, { 'retention.ms': '86400000' });
//   const { baseOffset } = await logs.partition('orders', 0)!.append(recordBatchBytes);
//   const { records } = logs.partition('orders', 0)!.read(baseOffset, 1024 * 1024);

export { LogManager, type LogManagerOptions } from './log-manager.ts';
export type { FlushPolicy } from './partition-log.ts';
export { ErrorCode, KafkaError } from '../kafka-errors.ts';
export { DEFAULT_TOPIC_CONFIG, validateTopicConfigs } from './topic-config.ts';
