// What every API handler gets: the broker's parts (logs, group coordinator, identity) and the request's
// header and peer. Handlers return the response body, or null when Kafka sends no response (acks=0).
import type { Logger } from 'pino';
import type { GroupCoordinator } from '../coordinator/group-coordinator.ts';
import type { LogManager } from '../log/index.ts';
import type { RequestBodies, RequestHeader, ResponseBodies } from '../protocol/index.ts';

export interface BrokerIdentity {
  readonly nodeId: number;
  readonly clusterId: string;
  /** Host and port clients are told to connect to (Metadata, FindCoordinator). */
  advertised(): { host: string; port: number };
}

export interface ApiDeps {
  readonly identity: BrokerIdentity;
  readonly logs: LogManager;
  readonly coordinator: GroupCoordinator;
  /** Kafka's auto.create.topics.enable. */
  readonly autoCreateTopics: boolean;
  /** Kafka's num.partitions: partitions of auto-created topics and of CreateTopics with -1. */
  readonly defaultPartitions: number;
  /** The broker's own configuration as DescribeConfigs reports it for the BROKER resource. */
  readonly brokerConfigs: ReadonlyArray<{ name: string; value: string | null; readOnly: boolean }>;
  /** Aborted when the broker closes: long polls return early. */
  readonly shutdown: AbortSignal;
  readonly logger?: Logger;
}

export interface RequestContext {
  readonly header: RequestHeader;
  /** '/127.0.0.1', as Kafka reports client hosts. */
  readonly clientHost: string;
}

export type ApiHandler<K extends keyof RequestBodies & keyof ResponseBodies> = (
  deps: ApiDeps,
  body: RequestBodies[K],
  ctx: RequestContext,
) => Promise<ResponseBodies[K] | null> | ResponseBodies[K] | null;

/** Thrown by a handler when Kafka would close the connection instead of answering. */
export class CloseConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloseConnectionError';
  }
}
