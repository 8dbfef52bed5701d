// Every object the chart renders must be one the Kubernetes API accepts: validated offline against the
// API's OpenAPI schemas (test/deploy/k8s-schema.ts) for several values files, from the least the chart
// can install to every optional object at once. `helm lint` does not do this: it checks YAML and the
// values schema, not whether a Deployment's fields have the types the API server requires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, PRODUCTION_VALUES, helm, CHART_DIR, ofKind, render, type RenderOptions } from './chart-render.ts';
import { validateObjects } from './k8s-schema.ts';

const ALL_FEATURES = join(FIXTURES, 'values-all-features.yaml');
const MINIMAL = join(FIXTURES, 'values-minimal.yaml');

const CASES: { name: string; options: RenderOptions; kinds: Record<string, number> }[] = [
  {
    name: 'default values',
    options: {},
    // Secrets: the database URL, the hook's copy for the migrations Job, the generated admin token and secrets key.
    kinds: { Deployment: 5, Service: 5, PodDisruptionBudget: 5, HorizontalPodAutoscaler: 0, Job: 1, Secret: 4, ConfigMap: 1, ServiceAccount: 1 },
  },
  {
    name: 'production fixture',
    options: { valuesFiles: [PRODUCTION_VALUES] },
    kinds: { Deployment: 5, HorizontalPodAutoscaler: 1, PodDisruptionBudget: 4, NetworkPolicy: 5, ServiceMonitor: 1, Job: 1 },
  },
  {
    name: 'HPA + PDB + NetworkPolicy (with egress) + ServiceMonitor on every service',
    options: { valuesFiles: [ALL_FEATURES] },
    kinds: { Deployment: 5, HorizontalPodAutoscaler: 5, PodDisruptionBudget: 5, NetworkPolicy: 5, ServiceMonitor: 1, Job: 1 },
  },
  {
    name: 'minimal values',
    options: { valuesFiles: [MINIMAL] },
    kinds: { Deployment: 2, Service: 2, PodDisruptionBudget: 0, Job: 0, ServiceAccount: 0, Secret: 1, ConfigMap: 1 },
  },
];

for (const { name, options, kinds } of CASES) {
  test(`${name}: every rendered object is valid against the Kubernetes API schemas`, async (t) => {
    const objects = await render(t, options);
    // The case renders what it is meant to cover, so a values change cannot quietly shrink the test.
    for (const [kind, count] of Object.entries(kinds)) assert.equal(ofKind(objects, kind).length, count, `${name}: ${kind} count`);
    assert.deepEqual(validateObjects(objects), []);
  });
}

test('the extra values files pass helm lint --strict', async (t) => {
  for (const file of [ALL_FEATURES, MINIMAL]) {
    const result = await helm(t, ['lint', '--strict', CHART_DIR, '--values', file]);
    assert.equal(result.code, 0, `${file}:\n${result.stdout}${result.stderr}`);
  }
});

test('the validator refuses what the API server would: wrong types, missing fields, bad quantities and durations, unknown kinds', async (t) => {
  const objects = await render(t, { valuesFiles: [ALL_FEATURES] });
  const deployment = structuredClone(ofKind(objects, 'Deployment')[0]);
  assert.ok(deployment !== undefined);
  const spec = deployment.spec as { replicas: unknown; template: { spec: { containers: { name?: string; resources: { requests: Record<string, string> } }[] } } };
  spec.replicas = '2';
  const container = spec.template.spec.containers[0];
  assert.ok(container !== undefined);
  delete container.name;
  container.resources.requests.memory = '192 MB';

  const pdb = structuredClone(ofKind(objects, 'PodDisruptionBudget')[0]);
  assert.ok(pdb !== undefined);
  (pdb.spec as { maxUnavailable: unknown }).maxUnavailable = { one: 1 };

  // The CRD's schema, from @kubernetes-models/prometheus-operator.
  const monitor = structuredClone(ofKind(objects, 'ServiceMonitor')[0]);
  assert.ok(monitor !== undefined);
  const endpoint = (monitor.spec as { endpoints: { interval: string }[] }).endpoints[0];
  assert.ok(endpoint !== undefined);
  endpoint.interval = '30 seconds';

  const unknown = { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'old' } };
  const problems = validateObjects([deployment, pdb, monitor, unknown]);
  assert.deepEqual(
    problems.map((p) => p.object),
    ['apps/v1/Deployment ey-eventyard-admin', 'policy/v1/PodDisruptionBudget ey-eventyard-admin', 'monitoring.coreos.com/v1/ServiceMonitor ey-eventyard', 'extensions/v1beta1/Ingress old'],
  );
  const [badDeployment, badPdb, badMonitor, badKind] = problems.map((p) => p.message);
  assert.match(badDeployment ?? '', /data\/spec\/replicas must be integer/);
  assert.match(badDeployment ?? '', /data\/spec\/template\/spec\/containers\/0 must have required property name/);
  assert.match(badDeployment ?? '', /data\/spec\/template\/spec\/containers\/0\/resources\/requests\/memory must match format "quantity"/);
  assert.match(badPdb ?? '', /data\/spec\/maxUnavailable must be integer/);
  assert.match(badMonitor ?? '', /data\/spec\/endpoints\/0\/interval must match pattern/);
  assert.match(badKind ?? '', /no schema known for this apiVersion\/kind/);
});
