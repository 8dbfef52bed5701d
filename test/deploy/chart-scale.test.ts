// Replicas against topic partitions: the router, dispatcher and delay-scheduler are Kafka consumers, so
// pods beyond kafka.topics.partitions sit idle. NOTES.txt shows the useful bound for each consumer and
// warns, naming the value to change, when the replicas (or the HPA's maxReplicas) go past it; a
// minReplicas above maxReplicas, which the API server would refuse, fails the render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PRODUCTION_VALUES, renderNotes, template } from './chart-render.ts';

test('NOTES.txt shows each consumer, its topic and replicas against the partition count, with no warning by default', async (t) => {
  const notes = await renderNotes(t);
  assert.match(notes, /Kafka consumers: each uses at most 6 replicas, one per partition \(kafka\.topics\.partitions\)/);
  assert.match(notes, /^ {2}router {11}eventyard\.ingest {19}2 replicas$/m);
  assert.match(notes, /^ {2}dispatcher {7}eventyard\.deliveries\.<processor> {3}2 replicas$/m);
  assert.match(notes, /^ {2}delay-scheduler {2}eventyard\.schedule {17}2 replicas$/m);
  assert.doesNotMatch(notes, /producer .*replicas|admin .*replicas/);
  assert.doesNotMatch(notes, /WARNING/);

  // The production fixture: 12 partitions, router 3, dispatcher 6: all within the bound.
  const production = await renderNotes(t, { valuesFiles: [PRODUCTION_VALUES] });
  assert.match(production, /each uses at most 12 replicas/);
  assert.match(production, /^ {2}dispatcher +eventyard\.deliveries\.<processor> +6 replicas$/m);
  assert.doesNotMatch(production, /WARNING/);
});

test('NOTES.txt warns for each consumer whose replicas or HPA maxReplicas exceed kafka.topics.partitions', async (t) => {
  const notes = await renderNotes(t, {
    values: [
      'kafka:',
      '  topics:',
      '    partitions: 4',
      'services:',
      '  router:',
      '    replicaCount: 5',
      '  dispatcher:',
      '    autoscaling:',
      '      enabled: true',
      '      maxReplicas: 10',
      // Exactly the partition count: every pod has a partition, no warning.
      '  delay-scheduler:',
      '    replicaCount: 4',
      // Not a consumer: never bound by partitions.
      '  producer:',
      '    replicaCount: 9',
    ].join('\n'),
  });
  assert.match(notes, /^ {2}dispatcher +eventyard\.deliveries\.<processor> +2-10 replicas \(autoscaled\)$/m);
  const warnings = notes.split('\n').filter((line) => line.startsWith('WARNING'));
  assert.deepEqual(warnings, [
    'WARNING: router may run 5 replicas (services.router.replicaCount) but eventyard.ingest has 4 partitions (kafka.topics.partitions): 1 of them would sit idle. Lower the replicas, or raise kafka.topics.partitions before the topics are created.',
    'WARNING: dispatcher may run 10 replicas (services.dispatcher.autoscaling.maxReplicas) but eventyard.deliveries.<processor> has 4 partitions (kafka.topics.partitions): 6 of them would sit idle. Lower the replicas, or raise kafka.topics.partitions before the topics are created.',
  ]);
});

test('NOTES.txt leaves out a disabled consumer, and a replica count from serviceDefaults is bound too', async (t) => {
  const notes = await renderNotes(t, {
    set: ['kafka.topics.partitions=2', 'serviceDefaults.replicaCount=3', 'services.router.enabled=false', 'services.dispatcher.replicaCount=2'],
  });
  assert.doesNotMatch(notes, /^ {2}router /m);
  assert.match(notes, /^ {2}dispatcher +eventyard\.deliveries\.<processor> +2 replicas$/m);
  const warnings = notes.split('\n').filter((line) => line.startsWith('WARNING'));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /^WARNING: delay-scheduler may run 3 replicas \(services\.delay-scheduler\.replicaCount\) but eventyard\.schedule has 2 partitions/);

  // No consumer at all: no consumer section.
  const none = await renderNotes(t, { set: ['services.router.enabled=false', 'services.dispatcher.enabled=false', 'services.delay-scheduler.enabled=false'] });
  assert.doesNotMatch(none, /Kafka consumers/);
});

test('an HPA whose minReplicas exceeds maxReplicas fails the render, naming the service and both values', async (t) => {
  const result = await template(t, { set: ['services.router.autoscaling.enabled=true', 'services.router.autoscaling.minReplicas=8', 'services.router.autoscaling.maxReplicas=4'] });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /services\.router\.autoscaling: minReplicas \(8\) is greater than maxReplicas \(4\)/);
  // Autoscaling off: the bounds are not used, nothing to refuse.
  const off = await template(t, { set: ['services.router.autoscaling.minReplicas=8', 'services.router.autoscaling.maxReplicas=4'] });
  assert.equal(off.code, 0, off.stderr);
});
