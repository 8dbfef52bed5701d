// The Helm chart, rendered by the real helm binary: lint --strict, and the objects it produces with the
// default values and with a production-like values file (probes, hooks, secret references, replicas,
// autoscaling, security), plus the values it must refuse and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from '@eventyard/cli/stack';
import {
  CHART_DIR,
  PRODUCTION_VALUES,
  effectiveEnv,
  find,
  helm,
  ofKind,
  onlyContainer,
  podSpec,
  render,
  renderNotes,
  template,
  type K8sObject,
} from './chart-render.ts';

const FULLNAME = 'ey-eventyard';

test('helm lint --strict passes with the default values and with the production-like values', async (t) => {
  const defaults = await helm(t, ['lint', '--strict', CHART_DIR]);
  assert.equal(defaults.code, 0, defaults.stdout + defaults.stderr);
  assert.match(defaults.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  const production = await helm(t, ['lint', '--strict', CHART_DIR, '--values', PRODUCTION_VALUES]);
  assert.equal(production.code, 0, production.stdout + production.stderr);
});

test('default values: a Deployment, Service and PDB per service, probes on the health port, no HPA or ServiceMonitor', async (t) => {
  const objects = await render(t);
  assert.equal(ofKind(objects, 'Deployment').length, SERVICES.length);
  assert.equal(ofKind(objects, 'Service').length, SERVICES.length);
  assert.equal(ofKind(objects, 'PodDisruptionBudget').length, SERVICES.length);
  assert.deepEqual(ofKind(objects, 'HorizontalPodAutoscaler'), []);
  assert.deepEqual(ofKind(objects, 'ServiceMonitor'), []);
  assert.deepEqual(ofKind(objects, 'NetworkPolicy'), []);

  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', `${FULLNAME}-${service.name}`);
    assert.equal((deployment.spec as { replicas: number }).replicas, 2, service.name);
    const container = onlyContainer(deployment);
    const health = container.ports?.find((p) => p.name === 'health');
    assert.equal(health?.containerPort, service.healthPort, service.name);
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
    assert.deepEqual(container.startupProbe?.httpGet, { path: '/healthz', port: 'health' });

    // Non-root, read-only root filesystem with a writable /tmp, no privilege escalation.
    const pod = podSpec(deployment);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.runAsUser, 10001);
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext?.capabilities, { drop: ['ALL'] });
    assert.deepEqual(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
    assert.ok(pod.volumes?.some((v) => v.name === 'tmp' && v.emptyDir !== undefined));
    assert.deepEqual(container.resources?.requests, { cpu: '100m', memory: '192Mi' });

    // Standard labels, and selectors that pick exactly this service's pods.
    const labels = deployment.metadata.labels ?? {};
    assert.equal(labels['app.kubernetes.io/name'], 'eventyard');
    assert.equal(labels['app.kubernetes.io/instance'], 'ey');
    assert.equal(labels['app.kubernetes.io/component'], service.name);
    assert.equal(labels['app.kubernetes.io/managed-by'], 'Helm');
    assert.equal(labels['app.kubernetes.io/version'], '0.1.0');
    const svc = find(objects, 'Service', `${FULLNAME}-${service.name}`);
    const selector = (svc.spec as { selector: Record<string, string> }).selector;
    assert.equal(selector['app.kubernetes.io/component'], service.name);
    const servicePorts = (svc.spec as { ports: { name: string; port: number; targetPort: string }[] }).ports;
    assert.deepEqual(
      servicePorts.map((p) => [p.name, p.port, p.targetPort]),
      [...service.ports.map((p) => [p.name, p.port, p.name]), ['health', service.healthPort, 'health']],
    );
  }

  // The producer's gRPC port is marked as such for meshes and gateways.
  const producer = find(objects, 'Service', `${FULLNAME}-producer`);
  const grpc = (producer.spec as { ports: { name: string; appProtocol: string }[] }).ports.find((p) => p.name === 'grpc');
  assert.equal(grpc?.appProtocol, 'grpc');
});

test('default values: the chart Secret holds the database URL and the ConfigMap the shared settings', async (t) => {
  const objects = await render(t);
  const secret = find(objects, 'Secret', FULLNAME);
  assert.deepEqual(secret.stringData, { 'database-url': 'postgres://eventyard@postgres:5432/eventyard' });
  const config = find(objects, 'ConfigMap', FULLNAME).data as Record<string, string>;
  assert.equal(config.EY_KAFKA_BROKERS, 'kafka:9092');
  assert.equal(config.EY_TOPIC_PARTITIONS, '6');
  // Durable by default: three copies, two in sync before a write is acknowledged.
  assert.equal(config.EY_KAFKA_REPLICATION_FACTOR, '3');
  assert.equal(config.EY_KAFKA_MIN_INSYNC_REPLICAS, '2');
  assert.equal(config.EY_KAFKA_TLS, 'false');
  assert.equal(config.EY_KAFKA_SASL_MECHANISM, undefined);
  // No secret material in the ConfigMap.
  assert.ok(!Object.keys(config).some((k) => /PASSWORD|DATABASE_URL/.test(k)), Object.keys(config).join(', '));
});

test('migrations run as a pre-install/pre-upgrade hook Job with the URL from a hook Secret created before it', async (t) => {
  const objects = await render(t);
  const job = find(objects, 'Job', `${FULLNAME}-migrations`);
  const annotations = job.metadata.annotations ?? {};
  assert.equal(annotations['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.equal(annotations['helm.sh/hook-delete-policy'], 'before-hook-creation,hook-succeeded');
  const container = onlyContainer(job);
  assert.deepEqual(container.args, ['node', 'packages/db/src/migrate-cli.ts', 'latest']);
  assert.equal(container.command, undefined, 'the image entrypoint (tini) must stay');
  assert.equal(podSpec(job).restartPolicy, 'Never');
  assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
  const env = effectiveEnv(container, objects);
  // migrate-cli reads DATABASE_URL.
  assert.equal(env.get('DATABASE_URL'), `secret:${FULLNAME}-migrations/database-url`);

  // The release's own Secret does not exist yet at pre-install, so the hook has its own, with a lower weight.
  const hookSecret = find(objects, 'Secret', `${FULLNAME}-migrations`);
  const secretAnnotations = hookSecret.metadata.annotations ?? {};
  assert.equal(secretAnnotations['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.ok(Number(secretAnnotations['helm.sh/hook-weight']) < Number(annotations['helm.sh/hook-weight']));
  assert.deepEqual(hookSecret.stringData, { 'database-url': 'postgres://eventyard@postgres:5432/eventyard' });

  const disabled = await render(t, { set: ['migrations.enabled=false'] });
  assert.deepEqual(ofKind(disabled, 'Job'), []);
});

test('production values: existing Secrets, SASL over TLS, autoscaling, monitoring and network policies', async (t) => {
  const objects = await render(t, { valuesFiles: [PRODUCTION_VALUES] });

  // Credentials come from the user's Secrets only; the chart creates no Secret of its own.
  assert.deepEqual(
    ofKind(objects, 'Secret').map((s) => s.metadata.name),
    [],
  );
  const producer = find(objects, 'Deployment', `${FULLNAME}-producer`);
  const container = onlyContainer(producer);
  const env = effectiveEnv(container, objects);
  assert.equal(env.get('EY_DATABASE_URL'), 'secret:eventyard-pg-app/uri');
  assert.equal(env.get('EY_KAFKA_SASL_PASSWORD'), 'secret:eventyard-kafka-user/password');
  assert.equal(env.get('EY_KAFKA_SASL_USERNAME'), 'eventyard');
  assert.equal(env.get('EY_KAFKA_SASL_MECHANISM'), 'scram-sha-512');
  assert.equal(env.get('EY_KAFKA_TLS'), 'true');
  assert.equal(env.get('EY_KAFKA_TLS_CA_FILE'), '/etc/eventyard/kafka-ca/ca.crt');
  assert.equal(env.get('EY_KAFKA_BROKERS'), 'events-kafka-bootstrap.kafka.svc:9093');
  assert.equal(env.get('EY_TOPIC_PARTITIONS'), '12');
  assert.equal(env.get('EY_KAFKA_REPLICATION_FACTOR'), '3');
  assert.equal(env.get('EY_REQUIRE_API_KEY'), 'true');
  assert.equal(env.get('EY_LOG_LEVEL'), 'warn');
  assert.deepEqual(
    container.volumeMounts?.find((m) => m.name === 'kafka-ca'),
    { name: 'kafka-ca', mountPath: '/etc/eventyard/kafka-ca', readOnly: true },
  );
  assert.equal(podSpec(producer).volumes?.find((v) => v.name === 'kafka-ca')?.secret?.secretName, 'events-cluster-ca-cert');
  assert.equal(container.image, 'registry.example.com/platform/eventyard:0.1.0');
  assert.deepEqual(podSpec(producer).imagePullSecrets, [{ name: 'registry-credentials' }]);

  // The migrations Job reads the URL straight from the existing Secret (it exists before install).
  const job = find(objects, 'Job', `${FULLNAME}-migrations`);
  assert.equal(effectiveEnv(onlyContainer(job), objects).get('DATABASE_URL'), 'secret:eventyard-pg-app/uri');

  // Autoscaled producer: no fixed replicas, an HPA between 3 and 12; the others keep their replica counts.
  assert.equal((producer.spec as { replicas?: number }).replicas, undefined);
  const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
  assert.deepEqual(hpas.map((h) => h.metadata.name), [`${FULLNAME}-producer`]);
  const hpaSpec = hpas[0]?.spec as { minReplicas: number; maxReplicas: number; scaleTargetRef: { kind: string; name: string } };
  assert.deepEqual([hpaSpec.minReplicas, hpaSpec.maxReplicas], [3, 12]);
  assert.deepEqual(hpaSpec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: `${FULLNAME}-producer` });
  const replicas = (name: string) => (find(objects, 'Deployment', `${FULLNAME}-${name}`).spec as { replicas: number }).replicas;
  assert.equal(replicas('router'), 3);
  assert.equal(replicas('dispatcher'), 6);
  assert.equal(replicas('admin'), 1);
  // A per-service override replaces one key of a default map and keeps the rest.
  const dispatcher = onlyContainer(find(objects, 'Deployment', `${FULLNAME}-dispatcher`));
  assert.deepEqual(dispatcher.resources, { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } });

  // pdb.enabled=false on admin takes effect (a plain merge would ignore a false override).
  assert.deepEqual(
    ofKind(objects, 'PodDisruptionBudget').map((p) => p.metadata.name).sort(),
    SERVICES.filter((s) => s.name !== 'admin').map((s) => `${FULLNAME}-${s.name}`).sort(),
  );

  // The admin token comes from the user's Secret through extraEnv.
  const admin = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-admin`)), objects);
  assert.equal(admin.get('EY_ADMIN_TOKEN'), 'secret:eventyard-admin/token');

  const producerService = find(objects, 'Service', `${FULLNAME}-producer`);
  assert.equal((producerService.spec as { type: string }).type, 'LoadBalancer');

  const monitor = find(objects, 'ServiceMonitor', FULLNAME);
  assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
  assert.deepEqual((monitor.spec as { endpoints: { port: string; path: string }[] }).endpoints.map((e) => [e.port, e.path]), [['health', '/metrics']]);

  // Network policies: API ports only from the client namespaces; router has no API port at all.
  const producerPolicy = find(objects, 'NetworkPolicy', `${FULLNAME}-producer`).spec as NetworkPolicySpec;
  assert.deepEqual(producerPolicy.ingress[0]?.ports.map((p) => p.port), [9000, 8083]);
  assert.deepEqual(producerPolicy.ingress[0]?.from, [{ namespaceSelector: { matchLabels: { 'eventyard.io/client': 'true' } } }]);
  const routerPolicy = find(objects, 'NetworkPolicy', `${FULLNAME}-router`).spec as NetworkPolicySpec;
  assert.deepEqual(routerPolicy.ingress.map((rule) => rule.ports.map((p) => p.port)), [[9101]]);
});

interface NetworkPolicySpec {
  ingress: { ports: { port: number }[]; from?: unknown[] }[];
}

test('postgres from parts: the password from an existing Secret is spliced into the URL by the kubelet', async (t) => {
  const objects = await render(t, {
    values: [
      'postgres:',
      '  host: pg-rw.db.svc',
      '  port: 5433',
      '  user: app',
      '  database: events',
      '  params: sslmode=require',
      '  existingSecret: pg-credentials',
      '  existingSecretPasswordKey: pass',
    ].join('\n'),
  });
  const container = onlyContainer(find(objects, 'Deployment', `${FULLNAME}-router`));
  const names = (container.env ?? []).map((e) => e.name);
  // $(VAR) expansion only sees variables defined earlier in the list.
  assert.ok(names.indexOf('EY_DATABASE_PASSWORD') < names.indexOf('EY_DATABASE_URL'), names.join(', '));
  const env = effectiveEnv(container, objects);
  assert.equal(env.get('EY_DATABASE_PASSWORD'), 'secret:pg-credentials/pass');
  assert.equal(env.get('EY_DATABASE_URL'), 'postgres://app:$(EY_DATABASE_PASSWORD)@pg-rw.db.svc:5433/events?sslmode=require');
  // No chart Secret (nothing secret given as a value) and no hook Secret: only the admin token's and the secrets key's own.
  assert.deepEqual(ofKind(objects, 'Secret').map((s) => s.metadata.name).sort(), [`${FULLNAME}-admin-token`, `${FULLNAME}-secrets-key`]);
});

test('values given inline: a URL-encoded password in the chart Secret, SASL password in the chart Secret', async (t) => {
  const objects = await render(t, {
    set: ['postgres.password=p@ss/w:rd', 'kafka.sasl.mechanism=plain', 'kafka.sasl.username=ey', 'kafka.sasl.password=s3cret'],
  });
  const secret = find(objects, 'Secret', FULLNAME);
  assert.deepEqual(secret.stringData, {
    'database-url': 'postgres://eventyard:p%40ss%2Fw%3Ard@postgres:5432/eventyard',
    'kafka-sasl-password': 's3cret',
  });
  // The URL must parse to the original password, as pg will read it.
  assert.equal(decodeURIComponent(new URL((secret.stringData as Record<string, string>)['database-url'] ?? '').password), 'p@ss/w:rd');
  const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-dispatcher`)), objects);
  assert.equal(env.get('EY_KAFKA_SASL_PASSWORD'), `secret:${FULLNAME}/kafka-sasl-password`);
  assert.equal(env.get('EY_KAFKA_SASL_USERNAME'), 'ey');
  // Changing a secret value rolls the pods.
  const before = await render(t, { set: ['kafka.sasl.mechanism=plain', 'kafka.sasl.username=ey', 'kafka.sasl.password=other'] });
  const checksum = (objs: K8sObject[]) =>
    (find(objs, 'Deployment', `${FULLNAME}-router`).spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata
      .annotations['checksum/secret'];
  assert.notEqual(checksum(objects), checksum(before));
});

test('a bad values file is refused by the schema, naming each bad value', async (t) => {
  const result = await template(t, {
    values: [
      'kafka:',
      '  brokers: ["kafka"]',
      '  sasl:',
      '    mechanism: gssapi',
      'services:',
      '  routr: {}',
      '  producer:',
      '    replicaCount: two',
      'logLevel: verbose',
    ].join('\n'),
  });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /values don't meet the specifications of the schema\(s\)/);
  assert.match(result.stderr, /kafka\.sasl\.mechanism: kafka\.sasl\.mechanism must be one of the following: "", "plain", "scram-sha-256", "scram-sha-512"/);
  assert.match(result.stderr, /services: Additional property routr is not allowed/);
  assert.match(result.stderr, /services\.producer\.replicaCount: Invalid type\. Expected: integer, given: string/);
  assert.match(result.stderr, /logLevel: logLevel must be one of the following/);
  assert.match(result.stderr, /kafka\.brokers\.0: Does not match pattern/);
});

test('combinations the schema cannot express fail the render with a message naming the values', async (t) => {
  const noPassword = await template(t, { set: ['kafka.sasl.mechanism=scram-sha-256', 'kafka.sasl.username=ey'] });
  assert.notEqual(noPassword.code, 0);
  assert.match(noPassword.stderr, /kafka\.sasl\.password or kafka\.sasl\.existingSecret is required when kafka\.sasl\.mechanism is set/);
  const noUser = await template(t, { set: ['kafka.sasl.mechanism=plain', 'kafka.sasl.existingSecret=k'] });
  assert.match(noUser.stderr, /kafka\.sasl\.username .* is required when kafka\.sasl\.mechanism is set/);
  const noPostgres = await template(t, { set: ['postgres.host='] });
  assert.match(noPostgres.stderr, /set postgres\.url, postgres\.host, or postgres\.existingSecret with postgres\.existingSecretUrlKey/);
  const caWithoutTls = await template(t, { set: ['kafka.tls.caSecret=ca'] });
  assert.match(caWithoutTls.stderr, /kafka\.tls\.caSecret is set but kafka\.tls\.enabled is false/);
});

test('a disabled service renders nothing; autoscaling turned on per service keeps the default bounds', async (t) => {
  const objects = await render(t, { set: ['services.admin.enabled=false', 'services.router.autoscaling.enabled=true'] });
  assert.ok(!objects.some((o) => o.metadata.name === `${FULLNAME}-admin`));
  const hpa = find(objects, 'HorizontalPodAutoscaler', `${FULLNAME}-router`).spec as { minReplicas: number; maxReplicas: number };
  assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], [2, 6]);
});

test('NOTES.txt tells how to reach the gRPC endpoint on :9000', async (t) => {
  const notes = await renderNotes(t);
  assert.match(notes, /ey-eventyard-producer\.events\.svc\.cluster\.local:9000/);
  assert.match(notes, /kubectl --namespace events port-forward svc\/ey-eventyard-producer 9000:9000/);
  assert.match(notes, /grpcurl -plaintext localhost:9000 list/);
  assert.match(notes, /port-forward svc\/ey-eventyard-admin 8081:8081/);
  assert.doesNotMatch(notes, /WARNING/);
});
