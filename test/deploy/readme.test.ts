// helm/eventyard/README.md's "Install on Kubernetes" must work with this chart: every values snippet in it
// renders, and every object its commands name (kubectl rollout/port-forward, the migrations Job) is one
// the chart creates for the release and namespace the README uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT, effectiveEnv, find, onlyContainer, render, template } from './chart-render.ts';

const README = join(CHART_DIR, 'README.md');
const RELEASE = 'eventyard';
const NAMESPACE = 'eventyard';

async function readmeBlocks(language: string): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');
}

test('every values snippet of the chart README is accepted by the chart', async (t) => {
  const snippets = (await readmeBlocks('yaml')).filter((block) => !/^apiVersion:/m.test(block));
  assert.ok(snippets.length >= 6, `found ${snippets.length} values snippets`);
  for (const snippet of snippets) {
    const result = await template(t, { values: snippet, release: RELEASE, namespace: NAMESPACE });
    assert.equal(result.code, 0, `snippet refused:\n${snippet}\n${result.stderr}`);
  }
});

test('the Strimzi and CloudNativePG snippets wire the Secrets those operators create', async (t) => {
  const snippets = (await readmeBlocks('yaml')).filter((block) => !/^apiVersion:/m.test(block));
  const strimzi = snippets.find((s) => s.includes('events-kafka-bootstrap'));
  const cnpg = snippets.find((s) => s.includes('eventyard-pg-app'));
  assert.ok(strimzi !== undefined && cnpg !== undefined);
  const objects = await render(t, { values: `${strimzi}\n${cnpg}`, release: RELEASE, namespace: NAMESPACE });
  const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', 'eventyard-router')), objects);
  // The KafkaUser named "eventyard" gets a Secret "eventyard" with "password"; the Cluster "eventyard-pg"
  // gets "eventyard-pg-app" with "uri".
  assert.equal(env.get('EY_KAFKA_SASL_PASSWORD'), 'secret:eventyard/password');
  assert.equal(env.get('EY_DATABASE_URL'), 'secret:eventyard-pg-app/uri');
  const manifests = (await readmeBlocks('sh')).join('\n');
  assert.match(manifests, /kind: KafkaUser\nmetadata:\n {2}name: eventyard\n/);
  assert.match(manifests, /kind: Cluster\nmetadata:\n {2}name: eventyard-pg\n/);
});

test('the objects the README commands name exist for release "eventyard" in namespace "eventyard"', async (t) => {
  const objects = await render(t, { release: RELEASE, namespace: NAMESPACE });
  const commands = (await readmeBlocks('sh')).join('\n');
  const named = [...commands.matchAll(/\b(svc|deployment)\/([a-z0-9-]+)/g)].map((m) => [m[1] === 'svc' ? 'Service' : 'Deployment', m[2] ?? ''] as const);
  assert.ok(named.length >= 2);
  for (const [kind, name] of named) find(objects, kind, name);
  const text = await readFile(README, 'utf8');
  for (const job of text.matchAll(/`(eventyard-migrations)`/g)) find(objects, 'Job', job[1] ?? '');
  // helm install/upgrade point at this chart, with the release and namespace used above.
  for (const command of commands.split('\n').filter((l) => /^helm (install|upgrade) eventyard /.test(l))) {
    assert.match(command, /^helm (install|upgrade) eventyard \.\/helm\/eventyard --namespace eventyard /);
  }
  // The addresses it gives for the gRPC endpoint are the Service's.
  const producer = find(objects, 'Service', 'eventyard-producer');
  const ports = (producer.spec as { ports: { name: string; port: number }[] }).ports;
  assert.ok(ports.some((p) => p.name === 'grpc' && p.port === 9000));
  assert.match(text, /eventyard-producer\.eventyard\.svc\.cluster\.local:9000/);
  // The production example it points at is a real values file.
  const example = parse(await readFile(join(REPO_ROOT, 'test', 'deploy', 'fixtures', 'values-production.yaml'), 'utf8')) as object;
  assert.ok('kafka' in example);
});

test('the root README\'s "Install on Kubernetes" section renders with this chart and names its objects', async (t) => {
  const text = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = text.indexOf('## Install on Kubernetes');
  assert.ok(start >= 0, 'root README has the section');
  const section = text.slice(start, text.indexOf('\n## ', start + 1));
  const values = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  assert.equal(values.length, 1);
  const objects = await render(t, { values: values[0] ?? '', release: RELEASE, namespace: NAMESPACE });
  const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').join('\n');
  for (const m of commands.matchAll(/\bsvc\/([a-z0-9-]+)/g)) find(objects, 'Service', m[1] ?? '');
  for (const command of commands.split('\n').filter((l) => /^helm (install|upgrade) /.test(l))) {
    assert.match(command, /^helm (install|upgrade) eventyard \.\/helm\/eventyard --namespace eventyard /);
  }
  const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', 'eventyard-producer')), objects);
  assert.equal(env.get('EY_DATABASE_URL'), 'secret:eventyard-postgres/url');
  assert.equal(env.get('EY_KAFKA_SASL_PASSWORD'), 'secret:eventyard-kafka/password');
});
