// The check-backs run inside the assembled service: a started scheduler commits a due PREPARE on a COMMIT
// answer and counts it in /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { getTransaction, prepareTransaction } from '@eventyard/db';
import { encodeMessage, loadEvhub, TxStatus, type CallbackRsp } from '@eventyard/proto';
import { metricValue, startFixture, waitFor } from '../fixture.ts';

test('a started scheduler runs due check-backs (EY_TX_CHECK_*)', async (t) => {
  const fixture = await startFixture(t);
  const { evhubTransaction } = loadEvhub();
  const server = new grpc.Server();
  server.addService(evhubTransaction.service, {
    Callback: (_call: unknown, callback: grpc.sendUnaryData<CallbackRsp>) => callback(null, { tx_status: TxStatus.TX_STATUS_COMMIT }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => server.forceShutdown());
  const app = await fixture.startScheduler({ EY_TX_CHECK_POLL_MS: '50', EY_EGRESS_ALLOW: '127.0.0.0/8' });
  await prepareTransaction(fixture.db.knex, {
    event_id: '424242',
    app_id: 'app',
    topic_id: 'topic',
    event: encodeMessage('evhub_comm.Event', { app_id: 'app', topic_id: 'topic', data: Buffer.from('x') }),
    callback: { protocol_type: 1, address: `127.0.0.1:${port}`, timeout_ms: 1000 },
    callback_interval_ms: 0,
  });
  await waitFor(async () => (await getTransaction(fixture.db.knex, '424242'))?.status === 'commit', 10_000, 'the check-back commit');
  assert.equal(await metricValue(app.ports.health, 'eventyard_scheduler_tx_checks_total', 'outcome="committed"'), 1);
});
