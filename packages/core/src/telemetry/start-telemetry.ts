// Starts OpenTelemetry tracing for a service from the standard OTEL_* variables, and only when an
// exporter is configured: otherwise none of the SDK is imported, and the pass-through tracer
// (tracing.ts) keeps propagating traceparents at next to no cost per event.
import { installTraceLogSource } from './log-trace.ts';
import { installTracer, passThroughTracer } from './tracing.ts';

/** What runService keeps: flushes and stops the SDK at the end of shutdown. */
export interface Telemetry {
  /** True when spans are exported (the SDK is running). */
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const DISABLED: Telemetry = { enabled: false, shutdown: () => Promise.resolve() };

/**
 * True when the OTEL_* variables ask for trace export: OTEL_TRACES_EXPORTER names an exporter other
 * than `none`, or an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT, the SDK's
 * default exporter then being OTLP). OTEL_SDK_DISABLED=true turns it off whatever else is set.
 */
export function tracesConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) || nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export interface StartTelemetryOptions {
  /** The service (router, dispatcher, …): the resource's service.name unless OTEL_SERVICE_NAME is set. */
  service: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads and starts the SDK when tracesConfigured(env), and installs its tracer; otherwise leaves the
 * pass-through tracer. The SDK reads the rest of OTEL_* itself (protocol http/protobuf, http/json or
 * grpc, headers, sampler, batch delays, resource attributes).
 */
export async function startTelemetry(options: StartTelemetryOptions): Promise<Telemetry> {
  if (!tracesConfigured(options.env)) return DISABLED;
  const { startOtelSdk } = await import('./otel-sdk.ts');
  const sdk = startOtelSdk({ serviceName: nonEmpty(options.env.OTEL_SERVICE_NAME) ? undefined : `eventyard-${options.service}` });
  const { activeTraceLogFields, createOtelTracer } = await import('./otel-tracer.ts');
  installTracer(createOtelTracer('eventyard', '0.1.0'));
  installTraceLogSource(activeTraceLogFields);
  return {
    enabled: true,
    async shutdown() {
      installTracer(passThroughTracer);
      installTraceLogSource(undefined);
      await sdk.shutdown();
    },
  };
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
