// OpenTelemetry tracing for every service: see start-telemetry.ts (SDK only when an exporter is
// configured), tracing.ts (the seam services call), propagation.ts (Kafka headers).
export * from './trace-parent.ts';
export * from './tracing.ts';
export * from './propagation.ts';
export * from './span-attributes.ts';
export * from './start-telemetry.ts';
export * from './log-trace.ts';
