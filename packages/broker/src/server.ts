// startBroker (Contract C): opens the logs (recovering whatever is on disk), starts the group
// coordinator, the TCP listener, the retention timer and optionally the metrics endpoint; close()
// undoes it in order: stop intake, let in-flight requests finish, close the logs.
import type { Server } from 'node:http';
import { createDispatcher } from './apis/dispatcher.ts';
import type { ApiDeps } from './apis/context.ts';
import { describeBrokerConfig, resolveBrokerConfig, type BrokerConfig, type BrokerOptions } from './config.ts';
import { GroupCoordinator } from './coordinator/group-coordinator.ts';
import { LogManager } from './log/index.ts';
import { BrokerMetrics, serveMetrics } from './metrics.ts';
import { TcpServer } from './network/tcp-server.ts';

export type BrokerState = 'running' | 'closing' | 'closed';

export interface Broker {
  /** The bound port (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** The metrics endpoint's bound port, when metricsPort was given. */
  readonly metricsPort: number | undefined;
  readonly state: BrokerState;
  readonly config: BrokerConfig;
  /** Stops accepting, finishes in-flight requests (long polls end early), closes the logs. Idempotent. */
  close(): Promise<void>;
  /** The Prometheus text exposition of this broker's metrics. */
  metrics(): Promise<string>;
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const config = resolveBrokerConfig(options);
  const root = options.logger;
  const log = root?.child({ component: 'broker' });
  const logs = await LogManager.open({
    dataDir: config.dataDir,
    flush: config.flush,
    defaultTopicConfig: { maxMessageBytes: config.messageMaxBytes },
    ...(root === undefined ? {} : { logger: root.child({ component: 'broker.log' }) }),
  });
  const coordinator = new GroupCoordinator({
    offsets: logs.offsets,
    initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    minSessionTimeoutMs: config.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
    ...(root === undefined ? {} : { logger: root.child({ component: 'broker.coordinator' }) }),
  });
  const metrics = new BrokerMetrics({ logs, coordinator });
  const shutdown = new AbortController();
  let boundPort = 0;
  const brokerConfigs: Array<{ name: string; value: string | null; readOnly: boolean }> = [];
  const deps: ApiDeps = {
    identity: {
      nodeId: config.nodeId,
      clusterId: config.clusterId,
      advertised: () => ({ host: config.advertisedHost, port: config.advertisedPort ?? boundPort }),
    },
    logs,
    coordinator,
    autoCreateTopics: config.autoCreateTopics,
    defaultPartitions: config.defaultPartitions,
    brokerConfigs,
    shutdown: shutdown.signal,
    ...(log === undefined ? {} : { logger: log }),
  };
  const tcp = new TcpServer({
    host: config.host,
    port: config.port,
    handler: createDispatcher(deps, metrics.observer),
    maxRequestBytes: config.maxRequestBytes,
    ...(root === undefined ? {} : { logger: root.child({ component: 'broker.network' }) }),
    onBytesIn: (n) => metrics.bytesIn(n),
    onBytesOut: (n) => metrics.bytesOut(n),
    onConnectionCountChange: (n) => metrics.connections(n),
  });
  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  try {
    boundPort = await tcp.listen();
    if (config.metricsPort !== undefined) {
      const served = await serveMetrics(metrics, config.host, config.metricsPort, log);
      metricsServer = served.server;
      metricsPort = served.port;
    }
  } catch (err) {
    coordinator.close();
    await tcp.close(0).catch(() => undefined);
    await logs.close();
    throw err;
  }
  brokerConfigs.push(...describeBrokerConfig(config, boundPort));

  // Retention runs on a timer, one pass at a time.
  let retentionRun: Promise<void> = Promise.resolve();
  let retentionBusy = false;
  const retentionTimer = setInterval(() => {
    if (retentionBusy) return;
    retentionBusy = true;
    retentionRun = logs
      .enforceRetention()
      .catch((err: unknown) => log?.error({ err }, 'retention pass failed'))
      .finally(() => {
        retentionBusy = false;
      });
  }, config.retentionCheckIntervalMs);
  retentionTimer.unref();

  let state: BrokerState = 'running';
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    state = 'closing';
    log?.info('broker closing');
    clearInterval(retentionTimer);
    // Parked long polls and JoinGroup/SyncGroup calls are answered now, so connections can drain.
    shutdown.abort();
    coordinator.close();
    await tcp.close(config.closeGraceMs);
    log?.info('connections drained');
    await retentionRun;
    if (metricsServer !== undefined) {
      const server = metricsServer;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await logs.close();
    state = 'closed';
    log?.info('broker closed');
  };

  log?.info(
    { host: config.host, port: boundPort, advertised: deps.identity.advertised(), dataDir: config.dataDir, flush: config.flush, metricsPort },
    'broker listening',
  );
  return {
    port: boundPort,
    host: config.host,
    metricsPort,
    config,
    get state() {
      return state;
    },
    close: () => (closing ??= close()),
    metrics: () => metrics.text(),
  };
}
