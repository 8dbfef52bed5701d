// @eventyard/broker: a single-node Kafka-protocol broker that kafkajs (and librdkafka clients) use
// as they use Apache Kafka. The embedded default for development and tests.
//
//   import { startBroker } from '@eventyard/broker';
//   const broker = await startBroker({ port: 0, dataDir: './data/kafka' });
//   const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`] });
//   ...
//   await broker.close();

export { startBroker, type Broker, type BrokerState } from './server.ts';
export type { BrokerOptions, BrokerConfig } from './config.ts';
export { BrokerErrors, type BrokerErrorCode } from './error-codes.ts';
export type { FlushPolicy } from './log/index.ts';
