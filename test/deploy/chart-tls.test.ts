// The chart's TLS values, rendered by the real helm binary: tls.existingSecret mounted (whole directory,
// so rotations reach the pods) into the producer and admin with EY_TLS_* pointing at it, the client-CA
// and mTLS switches, processorTls.secrets mounted into the dispatcher and delay-scheduler only, and the
// combinations the render refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICES } from '@eventyard/cli/stack';
import { effectiveEnv, find, onlyContainer, podSpec, render, template, type K8sObject } from './chart-render.ts';

const FULLNAME = 'ey-eventyard';

function deployment(objects: K8sObject[], name: string) {
  const object = find(objects, 'Deployment', `${FULLNAME}-${name}`);
  const volumes = (podSpec(object).volumes ?? []) as Array<{ name: string; secret?: { secretName: string; items?: unknown } }>;
  const container = onlyContainer(object);
  return { env: effectiveEnv(container, objects), mounts: container.volumeMounts ?? [], volumes };
}

test('defaults: no TLS variables and no TLS volumes anywhere', async (t) => {
  const objects = await render(t);
  for (const service of SERVICES) {
    const d = deployment(objects, service.name);
    assert.equal(d.env.has('EY_TLS_CERT_FILE'), false, service.name);
    assert.deepEqual(
      d.volumes.filter((v) => v.name.includes('tls')),
      [],
      service.name,
    );
  }
});

test('tls.existingSecret with mTLS: producer and admin serve it from /etc/eventyard/tls; processorTls.secrets reach dispatcher and delay-scheduler', async (t) => {
  const objects = await render(t, {
    values: ['tls:', '  existingSecret: eventyard-api-tls', '  clientCa: true', '  requireClientCert: true', 'processorTls:', '  secrets: [billing-mtls, shipping-ca]'].join('\n'),
  });
  for (const service of SERVICES) {
    const d = deployment(objects, service.name);
    const serves = service.name === 'producer' || service.name === 'admin';
    const dials = service.name === 'dispatcher' || service.name === 'delay-scheduler';
    if (serves) {
      assert.equal(d.env.get('EY_TLS_CERT_FILE'), '/etc/eventyard/tls/tls.crt', service.name);
      assert.equal(d.env.get('EY_TLS_KEY_FILE'), '/etc/eventyard/tls/tls.key', service.name);
      assert.equal(d.env.get('EY_TLS_CLIENT_CA_FILE'), '/etc/eventyard/tls/ca.crt', service.name);
      assert.equal(d.env.get('EY_TLS_REQUIRE_CLIENT_CERT'), 'true', service.name);
      const volume = d.volumes.find((v) => v.name === 'tls');
      assert.equal(volume?.secret?.secretName, 'eventyard-api-tls');
      // No items/subPath: a Secret volume mounted whole is the only kind Kubernetes updates in place.
      assert.equal(volume?.secret?.items, undefined);
      assert.deepEqual(
        d.mounts.find((m) => m.name === 'tls'),
        { name: 'tls', mountPath: '/etc/eventyard/tls', readOnly: true },
      );
    } else {
      assert.equal(d.env.has('EY_TLS_CERT_FILE'), false, service.name);
      assert.equal(d.volumes.find((v) => v.name === 'tls'), undefined, service.name);
    }
    const processorMounts = d.mounts.filter((m) => m.name.startsWith('processor-tls-')).map((m) => m.mountPath);
    assert.deepEqual(processorMounts, dials ? ['/etc/eventyard/processor-tls/billing-mtls', '/etc/eventyard/processor-tls/shipping-ca'] : [], service.name);
    if (dials) assert.deepEqual(d.volumes.filter((v) => v.name.startsWith('processor-tls-')).map((v) => v.secret?.secretName), ['billing-mtls', 'shipping-ca']);
  }
});

test('clientCa off: TLS without client certificates', async (t) => {
  const objects = await render(t, { set: ['tls.existingSecret=api-tls'] });
  const d = deployment(objects, 'producer');
  assert.equal(d.env.get('EY_TLS_CERT_FILE'), '/etc/eventyard/tls/tls.crt');
  assert.equal(d.env.has('EY_TLS_CLIENT_CA_FILE'), false);
  assert.equal(d.env.has('EY_TLS_REQUIRE_CLIENT_CERT'), false);
});

test('refused combinations name the values', async (t) => {
  const noSecret = await template(t, { set: ['tls.clientCa=true'] });
  assert.notEqual(noSecret.code, 0);
  assert.match(noSecret.stderr, /tls\.clientCa needs tls\.existingSecret/);
  const noCa = await template(t, { set: ['tls.existingSecret=api-tls', 'tls.requireClientCert=true'] });
  assert.notEqual(noCa.code, 0);
  assert.match(noCa.stderr, /tls\.requireClientCert needs tls\.clientCa/);
  const badName = await template(t, { set: ['processorTls.secrets[0]=Not_A_Secret'] });
  assert.notEqual(badName.code, 0);
  assert.match(badName.stderr, /processorTls/);
});
