// The broker's Prometheus metrics, from metrics() and over HTTP on metricsPort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBroker, FAST_CONSUMER, randomName, waitFor } from './integration/fixture.ts';

test('bytes, requests and errors by api, partition sizes and group states are exported', async (t) => {
  const { broker, kafka, defer } = await createBroker(t, { metricsPort: 0 });
  assert.ok(broker.metricsPort !== undefined && broker.metricsPort > 0);
  const client = kafka();
  const topic = randomName('metrics');
  const producer = client.producer();
  await producer.connect();
  defer(() => producer.disconnect());
  await producer.send({ topic, messages: [{ value: 'x'.repeat(100) }] });
  const consumer = client.consumer({ groupId: randomName('g'), ...FAST_CONSUMER });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  await consumer.run({
    eachMessage: async () => {
      got++;
    },
  });
  await waitFor('consumed', () => got === 1);

  const text = await broker.metrics();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  assert.ok(value(/^eventyard_broker_bytes_in_total (\d+)/m) > 100);
  assert.ok(value(/^eventyard_broker_bytes_out_total (\d+)/m) > 100);
  assert.ok(value(/^eventyard_broker_requests_total\{api="Produce"\} (\d+)/m) >= 1);
  assert.ok(value(/^eventyard_broker_response_errors_total\{api="Produce",error="NONE"\} (\d+)/m) >= 1);
  assert.ok(value(new RegExp(`^eventyard_broker_partition_size_bytes\\{topic="${topic}",partition="0"\\} (\\d+)`, 'm')) > 100);
  assert.equal(value(new RegExp(`^eventyard_broker_partition_high_watermark\\{topic="${topic}",partition="0"\\} (\\d+)`, 'm')), 1);
  assert.equal(value(/^eventyard_broker_groups\{state="Stable"\} (\d+)/m), 1);
  assert.match(text, /eventyard_broker_request_duration_seconds_bucket\{le="0.005",api="Metadata"\}/);

  const response = await fetch(`http://127.0.0.1:${broker.metricsPort}/metrics`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /^eventyard_broker_connections \d+/m);
  assert.equal((await fetch(`http://127.0.0.1:${broker.metricsPort}/other`)).status, 404);
});
