// The loader: EvHub wire paths as grpc-js sees them, a real grpc-js Dispatch round trip over
// loopback, and loading from an unrelated working directory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { WirePath, loadEvhub } from '../src/index.ts';
import type { DispatchReq__Output, DispatchRsp__Output, evhubProcessorHandlers } from '../src/index.ts';

test('loaded service definitions carry the EvHub wire paths', () => {
  const { evhubProducer, evhubProcessor, evhubTransaction } = loadEvhub();
  assert.equal(evhubProducer.service.Report.path, '/evhub_producer.evhubProducer/Report');
  assert.equal(evhubProducer.service.Prepare.path, '/evhub_producer.evhubProducer/Prepare');
  assert.equal(evhubProducer.service.Commit.path, '/evhub_producer.evhubProducer/Commit');
  assert.equal(evhubProducer.service.Rollback.path, '/evhub_producer.evhubProducer/Rollback');
  assert.equal(evhubProcessor.service.Dispatch.path, '/evhub_processor.evhubProcessor/Dispatch');
  assert.equal(evhubTransaction.service.Callback.path, '/evhub_transaction.evhubTransaction/Callback');

  assert.deepEqual(Object.keys(evhubProducer.service).sort(), ['Commit', 'Prepare', 'Report', 'Rollback']);
  assert.deepEqual(Object.keys(evhubProcessor.service), ['Dispatch']);
  assert.deepEqual(Object.keys(evhubTransaction.service), ['Callback']);
  assert.equal(WirePath.Report, evhubProducer.service.Report.path);
  assert.equal(WirePath.Dispatch, evhubProcessor.service.Dispatch.path);
  assert.equal(WirePath.Callback, evhubTransaction.service.Callback.path);
  for (const method of [evhubProducer.service.Report, evhubProcessor.service.Dispatch, evhubTransaction.service.Callback]) {
    assert.equal(method.requestStream, false);
    assert.equal(method.responseStream, false);
  }
  assert.equal(loadEvhub(), loadEvhub(), 'loaded once per process');
});

test('a grpc-js client and server built from the loader round-trip Dispatch', async (t) => {
  const { evhubProcessor } = loadEvhub();
  const received: DispatchReq__Output[] = [];
  const handlers: evhubProcessorHandlers = {
    Dispatch(call, callback) {
      received.push(call.request);
      callback(null, { ret: { code: 30000, msg: 'stop the chain' }, pass_back: Buffer.concat([call.request.pass_back, Buffer.from('+1')]) });
    },
  };
  const server = new grpc.Server();
  server.addService(evhubProcessor.service, handlers);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  t.after(() => server.forceShutdown());
  const client = new evhubProcessor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(() => client.close());

  const rsp = await new Promise<DispatchRsp__Output>((resolve, reject) => {
    client.Dispatch(
      {
        event_id: '7260000000000000001',
        event: {
          app_id: 'app-1',
          topic_id: 'orders',
          event_comm: { event_source: { source: 'checkout' }, event_tag: { tag_list: ['paid', 'eu'] } },
          data: Buffer.from([0, 255, 1]),
        },
        retry_times: 2,
        repeat_times: 5,
        pass_back: Buffer.from('cursor-9'),
      },
      { deadline: Date.now() + 10_000 },
      (err, value) => (err || value === undefined ? reject(err ?? new Error('no response')) : resolve(value)),
    );
  });

  assert.equal(received.length, 1);
  assert.deepStrictEqual(received[0], {
    event_id: '7260000000000000001',
    event: {
      app_id: 'app-1',
      topic_id: 'orders',
      event_comm: { event_source: { source: 'checkout', qua: '', create_time: null }, event_tag: { tag_list: ['paid', 'eu'] } },
      data: Buffer.from([0, 255, 1]),
    },
    retry_times: 2,
    repeat_times: 5,
    pass_back: Buffer.from('cursor-9'),
  });
  assert.deepStrictEqual(rsp, { ret: { code: 30000, msg: 'stop the chain' }, pass_back: Buffer.from('cursor-9+1') });
});

test('the loader finds the .proto files from any working directory', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eventyard-proto-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const index = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const script = `const p = await import(${JSON.stringify(index)}); console.log(p.loadEvhub().evhubTransaction.service.Callback.path);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  assert.equal(out.trim(), '/evhub_transaction.evhubTransaction/Callback');
});
