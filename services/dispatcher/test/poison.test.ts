// A consumer's answer Postgres would refuse must not stall its partition. A gRPC consumer whose ret.msg
// holds NUL and bytes that are not UTF-8, and a webhook whose body does (or whose ret.code does not fit
// an integer column), each get their attempt recorded, sanitized, and the next event of the same key
// (same partition, waiting behind it) is still delivered and the partition's offset committed past both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Topics } from '@eventyard/core';
import { loadEvhub, type DispatchReq__Output } from '@eventyard/proto';
import { consumerGroupId } from '../src/consume/processor-consumer.ts';
import { startDispatcher, task, waitFor, waitForDelivery, type DispatcherFixture } from './fixture.ts';

/** NUL, a lone 0xff, a truncated 2-byte sequence and a UTF-8-encoded surrogate (ED A0 80): none is valid text for Postgres. */
const BAD_BYTES = Buffer.from([0x62, 0x61, 0x64, 0x00, 0xff, 0x20, 0xc3, 0x20, 0xed, 0xa0, 0x80, 0x21]);

/** A DispatchRsp encoded by hand, so ret.msg can carry bytes no protobuf library would write for a string. */
function rawDispatchRsp(code: number, msg: Buffer): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      if (v < 128) return [...out, v];
      out.push((v % 128) | 0x80);
    }
  };
  const result = Buffer.from([0x08, ...varint(code), 0x12, ...varint(msg.length), ...msg]); // Result{code=1, msg=2}
  return Buffer.from([0x12, ...varint(result.length), ...result]); // DispatchRsp{ret=2}
}

/** Sum of a counter's samples matching `labels` in the dispatcher's /metrics text. */
async function metricValue(f: DispatcherFixture, name: string, labels: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${f.app.ports.health}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && labels.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Both partitions' committed offsets are past every record produced to the processor's topic. */
async function waitForCommitted(f: DispatcherFixture, dispatcherId: string, records: number): Promise<void> {
  const admin = f.kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const [topic] = await admin.fetchOffsets({ groupId: consumerGroupId(dispatcherId), topics: [Topics.deliveries(dispatcherId)] });
        const committed = (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
        return committed === records;
      },
      20_000,
      `${dispatcherId}: offsets committed past all ${records} records`,
    );
  } finally {
    await admin.disconnect();
  }
}

test('a gRPC consumer whose ret.msg holds NUL and invalid UTF-8 does not stall its partition', async (t) => {
  const f = await startDispatcher(t);
  const seen: string[] = [];
  const server = new grpc.Server();
  const { evhubProcessor } = loadEvhub();
  const dispatch = evhubProcessor.service.Dispatch;
  server.addService(
    { Dispatch: { ...dispatch, responseSerialize: (rsp: Buffer) => rsp } },
    {
      Dispatch: (call: grpc.ServerUnaryCall<DispatchReq__Output, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const data = call.request.event?.data.toString() ?? '';
        seen.push(call.request.event_id);
        callback(null, data === 'poison' ? rawDispatchRsp(1234, BAD_BYTES) : rawDispatchRsp(0, Buffer.from('ok')));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err))),
  );
  t.after(() => server.forceShutdown());
  await f.register({ dispatcher_id: 'grpc-poison', addr: `127.0.0.1:${port}`, retry_strategy: { retry_count: 1 } });

  // Same key: the second waits for the first (per-key order) on the same partition.
  await f.produceTasks('grpc-poison', [
    { key: 'k', task: task('7001', 'poison') },
    { key: 'k', task: task('7002', 'fine') },
  ]);
  const poisoned = await waitForDelivery(f, '7001', 'grpc-poison', ['dead']);
  assert.equal(poisoned.attempts.length, 1);
  const [attempt] = poisoned.attempts;
  assert.equal(attempt?.error_code, '1234');
  assert.equal(attempt?.ret_code, 1234);
  // grpc-js/protobufjs decode the bad bytes to U+FFFD; the NUL is replaced before the write.
  assert.equal(attempt?.error_message, 'bad\uFFFD\uFFFD \uFFFD \uFFFD\uFFFD\uFFFD!');
  assert.equal(poisoned.last_error, attempt?.error_message);

  const fine = await waitForDelivery(f, '7002', 'grpc-poison', ['succeeded']);
  assert.equal(fine.attempts.length, 1);
  assert.deepEqual(seen, ['7001', '7002']);
  await waitForCommitted(f, 'grpc-poison', 2);
  // Both were written whole: nothing had to be reduced or skipped.
  assert.equal(await metricValue(f, 'eventyard_dispatcher_history_rejected_total', /processor="grpc-poison"/), 0);

  // The dead letter's headers carry the same safe text.
  const dead = await f.readTopic(Topics.dead, (records) => records.some((r) => r.headers['ey-event-id'] === '7001'));
  assert.equal(dead.find((r) => r.headers['ey-event-id'] === '7001')?.headers['ey-error-message'], attempt?.error_message);
});

test('a webhook answering NUL, invalid UTF-8 or an out-of-range ret.code does not stall its partition', async (t) => {
  const f = await startDispatcher(t);
  const seen: string[] = [];
  const webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { event_id: string; event: { data: string } };
      seen.push(body.event_id);
      const data = Buffer.from(body.event.data, 'base64').toString();
      if (data === 'raw') return res.writeHead(500, { 'content-type': 'text/plain' }).end(BAD_BYTES);
      // JSON escapes: msg decodes to a NUL and a lone surrogate; the raw 0xff inside a string decodes to U+FFFD.
      if (data === 'json') {
        const json = Buffer.concat([Buffer.from('{"ret":{"code":77,"msg":"m\\u0000s\\ud800g"},"x":"'), Buffer.from([0xff]), Buffer.from('"}')]);
        return res.writeHead(200, { 'content-type': 'application/json' }).end(json);
      }
      if (data === 'huge') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ret":{"code":4294967296,"msg":"too big"}}');
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
  const port = (webhook.address() as AddressInfo).port;
  await f.register({ dispatcher_id: 'hook-poison', protocol_type: 'httpSend', addr: `127.0.0.1:${port}/hook`, retry_strategy: { retry_count: 1 } });

  await f.produceTasks('hook-poison', [
    { key: 'k', task: task('8001', 'raw') },
    { key: 'k', task: task('8002', 'json') },
    { key: 'k', task: task('8003', 'huge') },
    { key: 'k', task: task('8004', 'fine') },
  ]);
  const raw = await waitForDelivery(f, '8001', 'hook-poison', ['dead']);
  assert.equal(raw.attempts[0]?.response_status, 500);
  assert.equal(raw.attempts[0]?.error_code, 'http:500');
  assert.equal(raw.attempts[0]?.response_excerpt, 'bad\uFFFD\uFFFD \uFFFD \uFFFD\uFFFD\uFFFD!');

  const json = await waitForDelivery(f, '8002', 'hook-poison', ['dead']);
  assert.equal(json.attempts[0]?.error_code, '77');
  assert.equal(json.attempts[0]?.error_message, 'm\uFFFDs\uFFFDg');
  assert.equal(json.attempts[0]?.response_excerpt, '{"ret":{"code":77,"msg":"m\\u0000s\\ud800g"},"x":"\uFFFD"}');

  const huge = await waitForDelivery(f, '8003', 'hook-poison', ['dead']);
  assert.equal(huge.attempts[0]?.error_code, '4294967296', 'the code is kept as text');
  assert.equal(huge.attempts[0]?.ret_code, null, 'it does not fit the integer column');
  assert.equal(huge.attempts[0]?.error_message, 'too big');

  const fine = await waitForDelivery(f, '8004', 'hook-poison', ['succeeded']);
  assert.equal(fine.attempts.length, 1);
  assert.deepEqual(seen, ['8001', '8002', '8003', '8004']);
  await waitForCommitted(f, 'hook-poison', 4);
});
