// CPU of the Kafka-record codecs on the hot path, one message each, 100k calls per measure, two passes
// (the second is the one to read: warmed up): the router's decode of an IngestEnvelope and its encode
// of a DeliveryTask, the dispatcher's decode of that task, and the producer's encode of the envelope.
//   node bench/micro/proto-codec.ts [calls=100000]
import { decodeMessage, encodeMessage } from '@eventyard/proto';

const CALLS = Number(process.argv[2] ?? 100_000);
const event = {
  app_id: 'app',
  topic_id: 'topic',
  event_comm: { event_tag: { tag_list: ['a', 'b'] }, eventSource: 'svc', orderingKey: '' },
  data: Buffer.alloc(256, 7),
};
const envelope = {
  event_id: '7000000000000000001',
  event,
  reported_at: { seconds: '1790000000', nanos: 123_000_000 },
  trace_parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  broadcast: false,
  repeat_times: 0,
  api_key_id: 'key-1',
};
const envelopeBytes = encodeMessage('eventyard.v1.IngestEnvelope', envelope);
const decoded = decodeMessage('eventyard.v1.IngestEnvelope', envelopeBytes);
const task = {
  event_id: decoded.event_id,
  event: decoded.event,
  trigger: decoded.trigger,
  retry_times: 0,
  repeat_times: 0,
  reported_at: decoded.reported_at,
  trigger_source: 'auto',
  trace_parent: decoded.trace_parent,
};
const taskBytes = Buffer.concat([encodeMessage('eventyard.v1.DeliveryTask', task), encodeMessage('eventyard.v1.DeliveryTask', { dispatcher_id: 'proc-1' })]);

const measures: Array<[string, () => unknown]> = [
  ['encode IngestEnvelope (producer)', () => encodeMessage('eventyard.v1.IngestEnvelope', envelope)],
  ['decode IngestEnvelope (router)', () => decodeMessage('eventyard.v1.IngestEnvelope', envelopeBytes)],
  ['encode DeliveryTask from the decoded envelope (router, once per event)', () => encodeMessage('eventyard.v1.DeliveryTask', task)],
  ['encode DeliveryTask { dispatcher_id } (router, once per processor)', () => encodeMessage('eventyard.v1.DeliveryTask', { dispatcher_id: 'proc-1' })],
  ['decode DeliveryTask (dispatcher)', () => decodeMessage('eventyard.v1.DeliveryTask', taskBytes)],
];
for (let pass = 1; pass <= 2; pass++) {
  console.log(`pass ${pass}`);
  for (const [name, fn] of measures) {
    const start = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) fn();
    const used = process.cpuUsage(start);
    console.log(`  ${((used.user + used.system) / CALLS).toFixed(2).padStart(6)} µs  ${name}`);
  }
}
