// The chart's Secrets of sources on other Kafka clusters: mounted whole, read-only, into the producer
// only (the service that reads sources), at /etc/eventyard/sources/<secret>/; bad names refused by the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from '@eventyard/cli/stack';
import { find, onlyContainer, render, template } from './chart-render.ts';

interface Mount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: unknown };
}

test('sources.secrets are mounted into the producer only', async (t) => {
  const objects = await render(t, { values: ['sources:', '  secrets: [legacy-kafka, partner-ca]'].join('\n') });
  for (const service of SERVICES) {
    const deployment = find(objects, 'Deployment', `ey-eventyard-${service.name}`);
    const mounts = ((onlyContainer(deployment) as { volumeMounts?: Mount[] }).volumeMounts ?? []).filter((m) => m.name.startsWith('source-'));
    const volumes = (((deployment.spec as { template: { spec: { volumes?: Volume[] } } }).template.spec.volumes ?? []) as Volume[]).filter((v) => v.name.startsWith('source-'));
    if (service.name !== 'producer') {
      assert.deepEqual(mounts, [], service.name);
      continue;
    }
    assert.deepEqual(mounts, [
      { name: 'source-legacy-kafka', mountPath: '/etc/eventyard/sources/legacy-kafka', readOnly: true },
      { name: 'source-partner-ca', mountPath: '/etc/eventyard/sources/partner-ca', readOnly: true },
    ]);
    // Whole Secrets (no items): Kubernetes updates those in place when they rotate.
    assert.deepEqual(volumes, [
      { name: 'source-legacy-kafka', secret: { secretName: 'legacy-kafka' } },
      { name: 'source-partner-ca', secret: { secretName: 'partner-ca' } },
    ]);
  }
});

test('a secret name Kubernetes would refuse is refused by the schema', async (t) => {
  const bad = await template(t, { set: ['sources.secrets[0]=Not_A_Secret'] });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /sources/);
});
