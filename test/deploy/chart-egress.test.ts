// The chart's egress settings, rendered by the real helm binary: the services' guard lists (egress.allow,
// egress.deny → EY_EGRESS_ALLOW / EY_EGRESS_DENY in the shared ConfigMap) and the optional NetworkPolicy
// egress rules (DNS and networkPolicy.egress.to for every pod; the public internet minus private ranges
// only for the services that dial configured addresses), plus helm lint --strict with them on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '@eventyard/cli/stack';
import { CHART_DIR, effectiveEnv, find, helm, ofKind, onlyContainer, render } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';

const EGRESS_VALUES = [
  'egress:',
  '  allow: [10.40.0.0/16, "*.svc.cluster.local"]',
  '  deny: [10.40.9.0/24]',
  'networkPolicy:',
  '  enabled: true',
  '  egress:',
  '    enabled: true',
  '    dnsTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]',
  '    to: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kafka}}}], ports: [{port: 9092}]}]',
  '    targets:',
  '      extra: [{to: [{ipBlock: {cidr: 10.40.0.0/16}}], ports: [{port: 9001}]}]',
].join('\n');

interface EgressRule {
  to?: Array<{ ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: unknown }>;
  ports?: Array<{ port: number; protocol?: string }>;
}

interface PolicySpec {
  policyTypes: string[];
  egress?: EgressRule[];
}

test('defaults: no guard lists in the ConfigMap, network policies ingress only', async (t) => {
  const objects = await render(t, { set: ['networkPolicy.enabled=true'] });
  const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-dispatcher`)), objects);
  assert.equal(env.has('EY_EGRESS_ALLOW'), false);
  assert.equal(env.has('EY_EGRESS_DENY'), false);
  for (const policy of ofKind(objects, 'NetworkPolicy')) {
    const spec = policy.spec as PolicySpec;
    assert.deepEqual(spec.policyTypes, ['Ingress'], policy.metadata.name);
    assert.equal(spec.egress, undefined, policy.metadata.name);
  }
});

test('egress values: guard lists for every service; DNS and `to` everywhere, internet minus private ranges for dispatcher and delay-scheduler', async (t) => {
  const objects = await render(t, { values: EGRESS_VALUES });
  for (const service of SERVICES) {
    const env = effectiveEnv(onlyContainer(find(objects, 'Deployment', `${FULLNAME}-${service.name}`)), objects);
    assert.equal(env.get('EY_EGRESS_ALLOW'), '10.40.0.0/16,*.svc.cluster.local', service.name);
    assert.equal(env.get('EY_EGRESS_DENY'), '10.40.9.0/24', service.name);

    const spec = find(objects, 'NetworkPolicy', `${FULLNAME}-${service.name}`).spec as PolicySpec;
    assert.deepEqual(spec.policyTypes, ['Ingress', 'Egress'], service.name);
    const rules = spec.egress ?? [];
    assert.deepEqual(rules[0]?.ports, [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], `${service.name}: DNS first`);
    assert.deepEqual(rules[0]?.to, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }]);
    assert.deepEqual(rules[1]?.ports, [{ port: 9092 }], `${service.name}: networkPolicy.egress.to`);
    const dials = service.name === 'dispatcher' || service.name === 'delay-scheduler';
    const blocks = rules.flatMap((r) => r.to ?? []).flatMap((peer) => (peer.ipBlock === undefined ? [] : [peer.ipBlock]));
    if (!dials) {
      assert.equal(rules.length, 2, `${service.name}: no target rules`);
      continue;
    }
    const v4 = blocks.find((b) => b.cidr === '0.0.0.0/0');
    assert.ok(v4 !== undefined, `${service.name}: public IPv4`);
    for (const cidr of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8']) assert.ok(v4.except?.includes(cidr), `${service.name}: except ${cidr}`);
    const v6 = blocks.find((b) => b.cidr === '::/0');
    assert.deepEqual(v6?.except, ['fc00::/7', 'fe80::/10', '::1/128']);
    assert.deepEqual(rules.at(-1), { to: [{ ipBlock: { cidr: '10.40.0.0/16' } }], ports: [{ port: 9001 }] }, `${service.name}: targets.extra`);
  }
});

test('egress.targets.public=false leaves only the extra target rules', async (t) => {
  const objects = await render(t, { values: EGRESS_VALUES, set: ['networkPolicy.egress.targets.public=false'] });
  const spec = find(objects, 'NetworkPolicy', `${FULLNAME}-dispatcher`).spec as PolicySpec;
  const cidrs = (spec.egress ?? []).flatMap((r) => r.to ?? []).flatMap((p) => (p.ipBlock === undefined ? [] : [p.ipBlock.cidr]));
  assert.deepEqual(cidrs, ['10.40.0.0/16']);
});

test('helm lint --strict passes with the egress values', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-egress-values-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'values.yaml');
  await writeFile(file, EGRESS_VALUES);
  const result = await helm(t, ['lint', '--strict', CHART_DIR, '--values', file]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
});
