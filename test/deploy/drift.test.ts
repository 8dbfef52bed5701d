// The drift test: the Helm chart and the compose file must start exactly the processes that
// `eventyard dev` starts (packages/cli/src/stack.ts): `node <NODE_FLAGS> <entry>`, the same ports, the same variables.
// Edit one without the others and this fails, naming the service and the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NODE_FLAGS, SERVICES, serviceEnv, type ServiceSpec } from '@eventyard/cli/stack';
import { PRODUCTION_VALUES, REPO_ROOT, effectiveEnv, find, ofKind, onlyContainer, render, type K8sObject } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';
const COMPOSE_FILE = join(REPO_ROOT, 'deploy', 'compose', 'docker-compose.yml');

/** The variables stack.ts gives a service, with placeholders for the values that differ per environment. */
function expectedEnv(service: ServiceSpec): Record<string, string> {
  return serviceEnv(service, { databaseUrl: '<database>', kafkaBrokers: '<brokers>', logLevel: '<level>' });
}

/** Variables whose value is fixed by stack.ts (ports); the rest depend on where the stack runs. */
function fixedEnv(service: ServiceSpec): [string, string][] {
  return Object.entries(expectedEnv(service)).filter(([, value]) => !value.startsWith('<'));
}

const PORT_VARIABLE = /^EY_[A-Z_]*PORT$/;

function assertDeploymentMatchesStack(objects: K8sObject[], service: ServiceSpec, shared: { brokers: string; logLevel: string }): void {
  const where = `chart: ${service.name}`;
  const container = onlyContainer(find(objects, 'Deployment', `${FULLNAME}-${service.name}`));
  // args, not command: the image entrypoint (tini) runs `node <NODE_FLAGS> <entry>`.
  assert.equal(container.command, undefined, `${where}: command would replace the image's init`);
  assert.deepEqual(container.args, ['node', ...NODE_FLAGS, service.entry], where);
  assert.deepEqual(
    (container.ports ?? []).map((p) => [p.name, p.containerPort]),
    [...service.ports.map((p) => [p.name, p.port]), ['health', service.healthPort]],
    `${where}: container ports`,
  );

  const env = effectiveEnv(container, objects);
  for (const [name, value] of fixedEnv(service)) assert.equal(env.get(name), value, `${where}: ${name}`);
  // No port variable that stack.ts does not know of.
  assert.deepEqual(
    [...env.keys()].filter((k) => PORT_VARIABLE.test(k)).sort(),
    Object.keys(expectedEnv(service)).filter((k) => PORT_VARIABLE.test(k)).sort(),
    `${where}: port variables`,
  );
  assert.match(env.get('EY_DATABASE_URL') ?? '', /^secret:/, `${where}: EY_DATABASE_URL must come from a Secret`);
  assert.equal(env.get('EY_KAFKA_BROKERS'), shared.brokers, `${where}: EY_KAFKA_BROKERS`);
  assert.equal(env.get('EY_LOG_LEVEL'), shared.logLevel, `${where}: EY_LOG_LEVEL`);
  // Every variable of stack.ts is set one way or another.
  for (const name of Object.keys(expectedEnv(service))) assert.ok(env.has(name), `${where}: ${name} missing`);
}

test('chart (default values): every service of stack.ts runs node <entry> with its ports and env, and nothing else runs', async (t) => {
  const objects = await render(t);
  assert.deepEqual(
    ofKind(objects, 'Deployment').map((d) => d.metadata.name).sort(),
    SERVICES.map((s) => `${FULLNAME}-${s.name}`).sort(),
  );
  for (const service of SERVICES) assertDeploymentMatchesStack(objects, service, { brokers: 'kafka:9092', logLevel: 'info' });
});

test('chart (production values): the same commands, ports and env', async (t) => {
  const objects = await render(t, { valuesFiles: [PRODUCTION_VALUES] });
  for (const service of SERVICES) {
    assertDeploymentMatchesStack(objects, service, { brokers: 'events-kafka-bootstrap.kafka.svc:9093', logLevel: 'warn' });
  }
});

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  build?: { context: string; dockerfile: string; target?: string };
  read_only?: boolean;
}

async function readCompose(): Promise<{ services: Record<string, ComposeService> }> {
  // merge: compose resolves `<<: *anchor` the same way.
  return parse(await readFile(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
}

test('compose: every service of stack.ts runs node <entry> with its ports and env, after the migrations', async () => {
  const compose = await readCompose();
  for (const service of SERVICES) {
    const where = `compose: ${service.name}`;
    const entry = compose.services[service.name];
    assert.ok(entry !== undefined, `${where}: missing`);
    assert.deepEqual(entry.command, ['node', ...NODE_FLAGS, service.entry], where);
    assert.equal(entry.build?.target, 'runtime', `${where}: build target`);
    assert.equal(entry.read_only, true, `${where}: read_only`);
    const env = Object.fromEntries(Object.entries(entry.environment ?? {}).map(([k, v]) => [k, String(v)]));
    for (const [name, value] of fixedEnv(service)) assert.equal(env[name], value, `${where}: ${name}`);
    assert.deepEqual(
      Object.keys(env).filter((k) => PORT_VARIABLE.test(k)).sort(),
      Object.keys(expectedEnv(service)).filter((k) => PORT_VARIABLE.test(k)).sort(),
      `${where}: port variables`,
    );
    assert.equal(env.EY_DATABASE_URL, 'postgres://eventyard:eventyard@postgres:5432/eventyard', where);
    assert.equal(env.EY_KAFKA_BROKERS, 'kafka:9092', where);
    assert.equal(env.EY_LOG_LEVEL, 'info', where);
    assert.equal(env.EY_KAFKA_REPLICATION_FACTOR, '1', `${where}: one broker`);
    assert.equal(env.EY_KAFKA_MIN_INSYNC_REPLICAS, '1', `${where}: one broker`);
    // API ports are published on the loopback interface only; health ports are not published.
    assert.deepEqual(
      [...(entry.ports ?? [])].sort(),
      service.ports.map((p) => `127.0.0.1:${p.port}:${p.port}`).sort(),
      `${where}: published ports`,
    );
    assert.deepEqual(entry.depends_on?.migrations, { condition: 'service_completed_successfully' }, where);
    assert.deepEqual(entry.depends_on?.kafka, { condition: 'service_healthy' }, where);
  }
});

test('compose and chart run the same migration command', async (t) => {
  const compose = await readCompose();
  const objects = await render(t);
  const job = onlyContainer(find(objects, 'Job', `${FULLNAME}-migrations`));
  assert.deepEqual(compose.services.migrations?.command, job.args);
  assert.deepEqual(compose.services.postgres !== undefined && compose.services.kafka !== undefined, true);
  const migrationsEnv = compose.services.migrations?.environment ?? {};
  assert.equal(migrationsEnv.DATABASE_URL, 'postgres://eventyard:eventyard@postgres:5432/eventyard');
});
