// The sources of this producer instance: follows the `sources` table (TableWatcher: NOTIFY plus a
// periodic reload) and keeps one SourceConsumer per active source, so creating, changing (a new
// version restarts its consumer), pausing, resuming and deleting a source take effect without a
// restart. Every instance joins every source's group: Kafka spreads a topic's partitions over them.
// A source whose consumer cannot start (topic missing, cluster unreachable, a credential reference that
// does not resolve) is logged and tried again shortly. Records no mapping can take are rejected here:
// a dead letter on eventyard.dead (reason and origin in its headers) and a `rejected` history row.
import {
  createKafka,
  deadLetterMessage,
  estimateRecordBytes,
  EventyardError,
  storableText,
  textHeaders,
  Topics,
  type KafkaClientConfig,
  type Logger,
} from '@eventyard/core';
import { listSources, recordEvents, TableWatcher, type Knex, type SourceRecord as SourceRow } from '@eventyard/db';
import type { Kafka } from 'kafkajs';
import { ProducerErrors } from '../error-codes.ts';
import type { ProducerMetrics } from '../metrics.ts';
import type { RecordPublisher } from '../publish/record-publisher.ts';
import type { ReportService } from '../report/report-service.ts';
import { sourceKafkaConfig } from './source-cluster.ts';
import { SourceConsumer, type Rejection } from './source-consumer.ts';

/** The dead letter's header naming the source a rejected record came from. */
const SOURCE_ID_HEADER = 'eventyard-source-id';

/** Pause before trying again to start a source that failed to start. */
const START_RETRY_MS = 2000;

export interface SourceRunnerOptions {
  knex: Knex;
  databaseUrl: string;
  reloadMs: number;
  /** Eventyard's own cluster (EY_KAFKA_*), for sources without `cluster`. */
  kafka: KafkaClientConfig;
  reports: ReportService;
  publisher: RecordPublisher;
  /** Largest record (EY_KAFKA_MAX_BATCH_BYTES): a dead letter above it keeps key and headers only. */
  maxRecordBytes: number;
  /** Largest payload kept in a rejected record's history row (EY_MAX_EVENT_BYTES). */
  maxEventBytes: number;
  /** Reads an environment variable a `cluster.sasl.*_env` names. */
  env: (name: string) => string | undefined;
  metrics: ProducerMetrics;
  logger: Logger;
}

export class SourceRunner {
  readonly #o: SourceRunnerOptions;
  readonly #log: Logger;
  readonly #watcher: TableWatcher<SourceRow[]>;
  readonly #running = new Map<string, SourceConsumer>();
  /** Reconciliations run one at a time, in the order views arrive. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: SourceRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'sources' });
    this.#watcher = new TableWatcher<SourceRow[]>({
      knex: options.knex,
      databaseUrl: options.databaseUrl,
      table: 'sources',
      reloadMs: options.reloadMs,
      logger: this.#log,
      load: (knex) => listSources(knex),
      onLoad: (rows) => {
        this.#queue = this.#queue.then(() => this.#reconcile(rows));
      },
      failureMessage: 'sources reload failed; keeping the running sources',
    });
  }

  /** The version of a source whose consumer runs here, else undefined (tests wait on a change with it). */
  runningVersion(sourceId: string): number | undefined {
    const consumer = this.#running.get(sourceId);
    return consumer?.state === 'running' ? consumer.version : undefined;
  }

  async start(): Promise<void> {
    await this.#watcher.start();
  }

  /** Resolves once the latest view is applied (tests). */
  async settled(): Promise<void> {
    await this.#watcher.settled();
    await this.#queue;
  }

  /** Stops following the table, then every consumer (each commits what it finished). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    await this.#watcher.close();
    await this.#queue;
    for (const [id, consumer] of this.#running) {
      await consumer.close();
      this.#running.delete(id);
    }
    this.#o.metrics.sourcesRunning.set(0);
  }

  async #reconcile(rows: SourceRow[]): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map(rows.filter((row) => !row.paused).map((row) => [row.source_id, row]));
    for (const [id, consumer] of this.#running) {
      const row = wanted.get(id);
      if (row !== undefined && row.version === consumer.version && consumer.state === 'running') continue;
      await consumer.close();
      this.#running.delete(id);
      this.#log.info({ source_id: id, reason: row === undefined ? 'paused or deleted' : 'changed' }, 'source consumer stopped');
    }
    let failed = false;
    for (const [id, row] of wanted) {
      if (this.#running.has(id) || this.#closed) continue;
      try {
        const consumer = new SourceConsumer({
          source: row,
          kafka: this.#kafkaFor(row),
          reports: this.#o.reports,
          reject: (source, rejection) => this.#reject(source, rejection),
          onOutcome: (outcome) => this.#o.metrics.sourceRecords.inc({ source_id: id, outcome }),
          onCrash: () => void this.#watcher.reload(),
          logger: this.#log,
        });
        await consumer.start();
        this.#running.set(id, consumer);
      } catch (err) {
        failed = true;
        this.#log.warn({ err, source_id: id, topic: row.topic }, 'source consumer could not start; trying again shortly');
      }
    }
    this.#o.metrics.sourcesRunning.set(this.#running.size);
    if (failed && !this.#closed) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => void this.#watcher.reload(), START_RETRY_MS);
      this.#retryTimer.unref();
    }
  }

  #kafkaFor(row: SourceRow): Kafka {
    const options = { logger: this.#log, clientIdSuffix: `source-${row.source_id}` };
    if (row.cluster === null) return createKafka(this.#o.kafka, options);
    const { config, overrides } = sourceKafkaConfig(row.cluster, this.#o.kafka.clientId, this.#o.env);
    return createKafka(config, { ...options, overrides });
  }

  /**
   * A record that cannot become an event: its dead letter (the record as read, the reason and where it
   * came from in the headers), then its `rejected` history row under the source's app and topic. Both
   * must be written before the offset is committed; a failure rejects and the consumer tries again.
   */
  async #reject(source: SourceRow, rejection: Rejection): Promise<void> {
    const eventId = rejection.eventId ?? this.#o.reports.nextEventId();
    if (eventId === undefined) throw this.#o.reports.unavailableError();
    const { record } = rejection;
    const base = {
      key: record.key,
      value: record.value,
      headers: { ...textHeaders(record.headers), [SOURCE_ID_HEADER]: source.source_id },
      code: rejection.code,
      reason: rejection.reason,
      source: { topic: record.topic, partition: record.partition, offset: record.offset },
      eventId,
    };
    let dead = deadLetterMessage(base);
    if (estimateRecordBytes(dead) > this.#o.maxRecordBytes) dead = deadLetterMessage({ ...base, dropValue: true });
    await this.#o.publisher.publish({ topic: Topics.dead, key: dead.key ?? Buffer.alloc(0), value: dead.value ?? Buffer.alloc(0), headers: dead.headers });
    const payload = record.value !== null && record.value.length <= this.#o.maxEventBytes ? record.value : null;
    try {
      await recordEvents(this.#o.knex, [
        {
          event_id: eventId,
          app_id: source.app_id,
          topic_id: source.topic_id,
          status: 'rejected',
          status_reason: storableText(rejection.reason),
          payload,
          ...(rejection.orderingKey === undefined || rejection.orderingKey === '' ? {} : { ordering_key: storableText(rejection.orderingKey) }),
        },
      ]);
    } catch (err) {
      // The dead letter is written: a retry writes it again (a duplicate dead letter beats a missing row).
      throw new EventyardError(ProducerErrors.EY_REPORT_FAILED, `source ${source.source_id}: the history row of a rejected record could not be written`, {
        cause: err,
      });
    }
    this.#log.warn(
      { source_id: source.source_id, event_id: eventId, code: rejection.code, partition: record.partition, offset: record.offset, reason: rejection.reason },
      'source record rejected to the dead-letter topic',
    );
  }
}
