// The OpenTelemetry Node SDK, configured by the OTEL_* variables, for traces only: metrics stay on
// Prometheus (/metrics) and logs on pino's stdout, so the SDK's own metric and log exporters are off.
// Imported by start-telemetry.ts only when trace export is configured.
import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probe and scrape paths every service serves: a span per Kubernetes probe would drown the traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

export interface OtelSdkOptions {
  /** service.name, when OTEL_SERVICE_NAME does not set it. */
  serviceName: string | undefined;
}

export function startOtelSdk(options: OtelSdkOptions): { shutdown(): Promise<void> } {
  const sdk = new NodeSDK({
    ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      // Incoming HTTP (the producer's /v1/report edge, the admin API): a server span that our Report span
      // nests under. Outgoing HTTP is not instrumented: the dispatcher's webhook call has its own client span
      // (it must carry the delivery's attributes and be the traceparent the consumer gets) and a second
      // one from the instrumentation would add a duplicate `traceparent` header.
      new HttpInstrumentation({
        ignoreOutgoingRequestHook: () => true,
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      }),
      // gRPC is not auto-instrumented: the Report server span and the Dispatch client span are made by hand
      // (report-span.ts, delivery-span.ts) because they carry the event's ids and the Dispatch span must be
      // the traceparent the consumer receives, which @opentelemetry/instrumentation-grpc would overwrite
      // with a span of its own. Kafka (kafkajs) spans are by hand too: see propagation.ts.
      // Queries made while one of our spans is current (history writes, timer claims); the pollers'
      // queries outside any span would each be a trace of their own, so they are left out.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
