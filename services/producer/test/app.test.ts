// The producer in-process against the project's broker and a fresh database: Reports over gRPC (SDK
// client) and HTTP (both JSON forms) land on eventyard.ingest with the returned event id; delay events
// go to eventyard.schedule; idempotent duplicates publish once; every bad input gets its clear error
// and the service keeps serving.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { Topics } from '@eventyard/core';
import { decodeMessage, WirePath, type IngestEnvelope__Output } from '@eventyard/proto';
import { startProducer, type ReadRecord } from './fixture.ts';
import { INVALID_REPORTS } from '@eventyard/evhub/testing';

const EVENT_ID = /^[1-9]\d{0,18}$/;
const MAX_EVENT_BYTES = 4096;

function envelopes(records: ReadRecord[]): IngestEnvelope__Output[] {
  return records.map((r) => decodeMessage('eventyard.v1.IngestEnvelope', r.value));
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: { event_id?: string; ret?: { code: number; msg: string } } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { event_id?: string; ret?: { code: number; msg: string } } };
}

test('producer: Report paths, bad input and idempotency', async (t) => {
  // One partition, so a sentinel event read back proves everything acknowledged before it was read too.
  const p = await startProducer(t, { EY_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES), EY_TOPIC_PARTITIONS: '1' });
  const report = `${p.httpUrl}/v1/report`;
  const readIngestUntil = async (eventId: string) => {
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
    assert.ok(
      records.some((r) => r.headers['ey-event-id'] === eventId),
      `event ${eventId} on ingest`,
    );
    return envelopes(records);
  };

  await t.test('gRPC Report lands a decodable IngestEnvelope with the returned event_id', async () => {
    const rsp = await p.client.report({
      event: { app_id: 'shop', topic_id: 'order', event_comm: { event_tag: { tag_list: ['vip'] } }, data: Buffer.from('{"n":1}') },
      option: { orderingKey: 'customer-7' },
    });
    assert.equal(rsp.ret?.code ?? 0, 0, JSON.stringify(rsp.ret));
    assert.match(rsp.event_id, EVENT_ID);
    const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === rsp.event_id));
    const record = records.find((r) => r.headers['ey-event-id'] === rsp.event_id);
    assert.ok(record);
    assert.equal(record.key, 'customer-7');
    const envelope = decodeMessage('eventyard.v1.IngestEnvelope', record.value);
    assert.equal(envelope.event_id, rsp.event_id);
    assert.equal(envelope.event?.app_id, 'shop');
    assert.deepEqual(envelope.event?.event_comm?.event_tag?.tag_list, ['vip']);
    assert.equal(envelope.event?.data.toString(), '{"n":1}');
    assert.equal(envelope.option?.orderingKey, 'customer-7');
    assert.equal(envelope.trigger, null);
    assert.ok(Number(envelope.reported_at?.seconds) > 0);
  });

  await t.test('without an exporter the trace is still carried: a traceparent is continued, otherwise (or when invalid) one is started', async () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const recordOf = async (eventId: string | undefined) => {
      const records = await p.readTopic(Topics.ingest, (rs) => rs.some((r) => r.headers['ey-event-id'] === eventId));
      const record = records.find((r) => r.headers['ey-event-id'] === eventId);
      assert.ok(record);
      return { header: record.headers.traceparent, envelope: decodeMessage('eventyard.v1.IngestEnvelope', record.value).trace_parent };
    };
    const overHttp = await fetch(report, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: incoming },
      body: JSON.stringify({ event: { app_id: 'shop', topic_id: 'order' } }),
    });
    const continued = await recordOf(((await overHttp.json()) as { event_id?: string }).event_id);
    assert.deepEqual(continued, { header: incoming, envelope: incoming }, "the caller's span is the parent downstream");

    const started = await recordOf((await p.client.report({ event: { app_id: 'shop', topic_id: 'order' } })).event_id);
    assert.match(started.header ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(started.envelope, started.header);

    const metadata = new grpc.Metadata();
    metadata.set('traceparent', 'not-a-traceparent');
    const replaced = await recordOf((await p.client.report({ event: { app_id: 'shop', topic_id: 'order' } }, { metadata })).event_id);
    assert.match(replaced.header ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'an invalid traceparent is not passed on');
  });

  await t.test('HTTP Report in Go-struct JSON and in proto3 JSON', async () => {
    const go = await postJson(report, {
      event: { app_id: 'shop', topic_id: 'http-go', data: Buffer.from('go').toString('base64') },
      trigger: { trigger_type: 1 },
    });
    assert.equal(go.status, 200);
    assert.equal(go.body.ret?.code, 0);
    assert.match(go.body.event_id ?? '', EVENT_ID);
    const proto3 = await postJson(report, {
      event: { appId: 'shop', topicId: 'http-proto3', data: Buffer.from('p3').toString('base64') },
      trigger: { triggerType: 'EVENT_TRIGGER_TYPE_REAL_TIME' },
      option: { orderingKey: 'k-p3' },
    });
    assert.equal(proto3.status, 200);
    assert.equal(proto3.body.ret?.code, 0);
    const all = await readIngestUntil(proto3.body.event_id ?? '');
    const goEnvelope = all.find((e) => e.event_id === go.body.event_id);
    const p3Envelope = all.find((e) => e.event_id === proto3.body.event_id);
    assert.equal(goEnvelope?.event?.topic_id, 'http-go');
    assert.equal(goEnvelope?.event?.data.toString(), 'go');
    assert.equal(goEnvelope?.trigger?.trigger_type, 1);
    assert.equal(p3Envelope?.event?.topic_id, 'http-proto3');
    assert.equal(p3Envelope?.event?.data.toString(), 'p3');
    assert.equal(p3Envelope?.option?.orderingKey, 'k-p3');
  });

  await t.test('every validation error: code 10000, its exact message and an event_id, over gRPC and HTTP', async () => {
    for (const c of INVALID_REPORTS) {
      const rsp = await p.client.report(c.request);
      assert.equal(rsp.ret?.code, 10000, c.name);
      assert.equal(rsp.ret?.msg, c.msg, c.name);
      assert.match(rsp.event_id, EVENT_ID, c.name);
    }
    // The same requests as Go-struct JSON (durations and timestamps as {seconds, nanos}, enums as numbers).
    for (const c of INVALID_REPORTS) {
      const json = JSON.parse(
        JSON.stringify(c.request, (_key, value: unknown) => (isBufferJson(value) ? Buffer.from(value.data).toString('base64') : value)),
      ) as unknown;
      const res = await postJson(report, json);
      assert.equal(res.status, 200, c.name);
      assert.equal(res.body.ret?.code, 10000, c.name);
      assert.equal(res.body.ret?.msg, c.msg, c.name);
      assert.match(res.body.event_id ?? '', EVENT_ID, c.name);
    }
  });

  await t.test('oversize data: 10000 naming the limit on gRPC and HTTP; far over: refused by the transport', async () => {
    const rsp = await p.client.report({ event: { app_id: 'shop', topic_id: 'big', data: Buffer.alloc(MAX_EVENT_BYTES + 1, 7) } });
    assert.equal(rsp.ret?.code, 10000);
    assert.equal(rsp.ret?.msg, `event.data is ${MAX_EVENT_BYTES + 1} bytes, over the limit of ${MAX_EVENT_BYTES} bytes (EY_MAX_EVENT_BYTES)`);
    assert.match(rsp.event_id, EVENT_ID);
    const http = await postJson(report, { event: { app_id: 'shop', topic_id: 'big', data: Buffer.alloc(MAX_EVENT_BYTES + 1).toString('base64') } });
    assert.equal(http.body.ret?.code, 10000);
    assert.match(http.body.ret?.msg ?? '', /over the limit of 4096 bytes/);
    const huge = await postJson(report, { event: { app_id: 'shop', topic_id: 'big', data: Buffer.alloc(2 * 1024 * 1024).toString('base64') } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.ret?.code, 10000);
    assert.match(huge.body.ret?.msg ?? '', /^request body exceeds the limit of \d+ bytes$/);
    await assert.rejects(p.client.report({ event: { app_id: 'shop', topic_id: 'big', data: Buffer.alloc(2 * 1024 * 1024) } }), {
      code: grpc.status.RESOURCE_EXHAUSTED,
    });
  });

  await t.test('malformed protobuf bytes get a gRPC error and the server keeps serving', async () => {
    const raw = new grpc.Client(`127.0.0.1:${p.app.ports.grpc}`, grpc.credentials.createInsecure());
    t.after(() => raw.close());
    // Field 1 (event) as length-delimited with a length far past the end of the message.
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest(
        WirePath.Report,
        (value: Buffer) => value,
        (value: Buffer) => value,
        garbage,
        new grpc.Metadata(),
        { deadline: Date.now() + 10_000 },
        (error) => resolve(error),
      );
    });
    assert.ok(err !== null, 'the call fails');
    assert.ok(err.code === grpc.status.INTERNAL || err.code === grpc.status.INVALID_ARGUMENT, `status ${err.code}: ${err.details}`);
    const after = await p.client.report({ event: { app_id: 'shop', topic_id: 'after-garbage' } });
    assert.equal(after.ret?.code ?? 0, 0);
  });

  await t.test('malformed or empty JSON: 400 with ret 10000; wrong field types name the field', async () => {
    const bad = await postJson(report, '{"event":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.ret?.code, 10000);
    assert.match(bad.body.ret?.msg ?? '', /^request body is not valid JSON/);
    const empty = await fetch(report, { method: 'POST' });
    assert.equal(empty.status, 400);
    const typed = await postJson(report, { event: { app_id: 42 } });
    assert.equal(typed.status, 400);
    assert.deepEqual(typed.body.ret, { code: 10000, msg: 'event.app_id must be a string' });
  });

  await t.test('a delay event goes to eventyard.schedule as timer delay:<event_id> due after its delay', async () => {
    const before = Date.now();
    const rsp = await p.client.report({
      event: { app_id: 'shop', topic_id: 'later', data: Buffer.from('wait') },
      trigger: { trigger_type: 2, delay_trigger: { delay_time: { seconds: 90 } } },
      option: { orderingKey: 'ord-1' },
    });
    const after = Date.now();
    assert.equal(rsp.ret?.code ?? 0, 0);
    const records = await p.readTopic(Topics.schedule, (rs) => rs.some((r) => r.headers['ey-event-id'] === rsp.event_id));
    const record = records.find((r) => r.headers['ey-event-id'] === rsp.event_id);
    assert.ok(record, 'a schedule record');
    assert.equal(record.key, `delay:${rsp.event_id}`);
    const item = decodeMessage('eventyard.v1.ScheduleItem', record.value);
    assert.equal(item.timer_id, `delay:${rsp.event_id}`);
    assert.equal(item.target_topic, Topics.ingest);
    assert.equal(item.kind, 'delay');
    assert.equal(item.key.toString(), 'ord-1');
    const dueMs = Number(item.due_at?.seconds) * 1000 + Math.floor((item.due_at?.nanos ?? 0) / 1e6);
    assert.ok(dueMs >= before + 90_000 - 1 && dueMs <= after + 90_000, `due_at ${dueMs} within [${before + 90_000}, ${after + 90_000}]`);
    const envelope = decodeMessage('eventyard.v1.IngestEnvelope', item.value);
    assert.equal(envelope.event_id, rsp.event_id);
    assert.equal(envelope.event?.data.toString(), 'wait');
    // delay_time 0 is real-time: straight to ingest.
    const now = await p.client.report({ event: { app_id: 'shop', topic_id: 'now' }, trigger: { trigger_type: 2, delay_trigger: { delay_time: {} } } });
    await readIngestUntil(now.event_id);
  });

  await t.test('an idempotent duplicate returns the first event_id and publishes once, also under 20 concurrent duplicates', async () => {
    const request = {
      event: { app_id: 'shop', topic_id: 'idem', data: Buffer.from('once') },
      option: { idempotent: { key: 'order-1', idempotent_time: { seconds: 600 } } },
    };
    const first = await p.client.report(request);
    const second = await p.client.report(request);
    assert.equal(first.ret?.code ?? 0, 0);
    assert.equal(second.ret?.code ?? 0, 0);
    assert.equal(second.event_id, first.event_id);
    // Same key, other topic: independent.
    const other = await p.client.report({ ...request, event: { ...request.event, topic_id: 'idem-other' } });
    assert.notEqual(other.event_id, first.event_id);

    const burst = { event: { app_id: 'shop', topic_id: 'idem-burst' }, option: { idempotent: { key: 'burst', idempotent_time: { seconds: 600 } } } };
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.client.report(burst)));
    assert.ok(answers.every((a) => (a.ret?.code ?? 0) === 0));
    assert.equal(new Set(answers.map((a) => a.event_id)).size, 1, 'one event id for all 20');

    const sentinel = await p.client.report({ event: { app_id: 'shop', topic_id: 'sentinel' } });
    const all = await readIngestUntil(sentinel.event_id);
    assert.equal(all.filter((e) => e.event?.topic_id === 'idem').length, 1);
    assert.equal(all.filter((e) => e.event?.topic_id === 'idem-burst').length, 1);
    assert.equal(all.find((e) => e.event?.topic_id === 'idem-burst')?.event_id, answers[0]?.event_id);
  });

  await t.test('server reflection lists the producer and health services and describes Report', async () => {
    const reflectionDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build', 'proto');
    const definition = protoLoader.loadSync('grpc/reflection/v1/reflection.proto', {
      includeDirs: [reflectionDir],
      keepCase: true,
      defaults: true,
      oneofs: true,
    });
    const Reflection = grpc.loadPackageDefinition(definition).grpc as unknown as {
      reflection: { v1: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client } };
    };
    const client = new Reflection.reflection.v1.ServerReflection(`127.0.0.1:${p.app.ports.grpc}`, grpc.credentials.createInsecure());
    t.after(() => client.close());
    type ReflectionAnswer = { list_services_response?: { service: Array<{ name: string }> }; file_descriptor_response?: { file_descriptor_proto: Buffer[] } };
    const ask = (request: Record<string, string>) =>
      new Promise<ReflectionAnswer>((resolve, reject) => {
        const call = (client as unknown as { ServerReflectionInfo: () => grpc.ClientDuplexStream<unknown, ReflectionAnswer> }).ServerReflectionInfo();
        call.on('data', (answer: ReflectionAnswer) => {
          resolve(answer);
          call.end();
        });
        call.on('error', reject);
        call.write(request);
      });
    const listed = await ask({ list_services: '' });
    const names = (listed.list_services_response?.service ?? []).map((s) => s.name).sort();
    assert.deepEqual(names, ['evhub_producer.evhubProducer', 'grpc.health.v1.Health']);
    const described = await ask({ file_containing_symbol: 'evhub_producer.evhubProducer' });
    assert.ok((described.file_descriptor_response?.file_descriptor_proto.length ?? 0) > 0);
  });

  await t.test('gRPC health, /readyz and /metrics', async () => {
    const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(`127.0.0.1:${p.app.ports.grpc}`, grpc.credentials.createInsecure());
    t.after(() => health.close());
    for (const service of ['', 'evhub_producer.evhubProducer']) {
      const answer = await new Promise<{ status: string }>((resolve, reject) => {
        (health as unknown as { Check: (req: unknown, cb: (err: Error | null, res: { status: string }) => void) => void }).Check({ service }, (err, res) =>
          err === null ? resolve(res) : reject(err),
        );
      });
      assert.equal(answer.status, 'SERVING');
    }
    const ready = await fetch(`http://127.0.0.1:${p.app.ports.health}/readyz`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${p.app.ports.health}/metrics`)).text();
    assert.match(metrics, /eventyard_producer_reports_total\{[^}]*edge="grpc"[^}]*code="0"[^}]*\} \d+/);
    assert.match(metrics, /eventyard_producer_reports_total\{[^}]*edge="http"[^}]*code="10000"[^}]*\} \d+/);
    assert.match(metrics, /eventyard_producer_publish_seconds_bucket\{[^}]*topic="eventyard.ingest"/);
    assert.match(metrics, /eventyard_producer_idempotent_duplicates_total\{[^}]*\} 2[01]/);
  });
});

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}
