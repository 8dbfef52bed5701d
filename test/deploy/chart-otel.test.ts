// The chart's `otel` block, rendered by the real helm binary: OpenTelemetry trace export configured by
// OTEL_* variables for every service (ConfigMap), the backend's credentials from a Secret, nothing by
// default (the services then load no SDK), and values the schema refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from '@eventyard/cli/stack';
import { effectiveEnv, find, onlyContainer, render, template } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';

test('defaults: no OTEL_* variable for any service', async (t) => {
  const objects = await render(t);
  for (const service of SERVICES) {
    const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-${service.name}`)), objects);
    assert.deepEqual([...env.keys()].filter((key) => key.startsWith('OTEL_')), [], service.name);
  }
});

test('otel values: endpoint, protocol, sampler, resource attributes and extra env for every service; headers from the Secret', async (t) => {
  const objects = await render(t, {
    values: [
      'otel:',
      '  endpoint: http://otel-collector.observability:4317',
      '  protocol: grpc',
      '  sampler: parentbased_traceidratio',
      '  samplerArg: "0.25"',
      '  resourceAttributes: deployment.environment.name=prod',
      '  headersSecret: otel-backend',
      '  env: {OTEL_BSP_SCHEDULE_DELAY: "1000"}',
    ].join('\n'),
  });
  for (const service of SERVICES) {
    const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-${service.name}`)), objects);
    const otel = Object.fromEntries([...env].filter(([key]) => key.startsWith('OTEL_')));
    assert.deepEqual(
      otel,
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod',
        OTEL_BSP_SCHEDULE_DELAY: '1000',
        OTEL_EXPORTER_OTLP_HEADERS: 'secret:otel-backend/headers',
      },
      service.name,
    );
  }
});

test('the schema refuses an unknown protocol, a non-URL endpoint and a non-OTEL_ variable in otel.env', async (t) => {
  for (const set of ['otel.protocol=thrift', 'otel.endpoint=collector:4318', 'otel.env.EY_LOG_LEVEL=debug']) {
    const result = await template(t, { set: [set] });
    assert.notEqual(result.code, 0, set);
    assert.match(result.stderr, /otel/, set);
  }
});
