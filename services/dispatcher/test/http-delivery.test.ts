// `httpSend` end to end in-process: the webhook receives the JSON DispatchReq with Standard Webhooks
// headers, a JSON `ret.code` is honoured (retry, then success; 30000 cancels), 500 is retried, 400 is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '@eventyard/sdk';
import { startDispatcher, task, waitForDelivery } from './fixture.ts';

interface Hit {
  body: Record<string, unknown>;
  raw: Buffer;
  headers: IncomingHttpHeaders;
  path: string;
}

const SECRET = `whsec_${Buffer.from('a-secret-of-32-bytes-for-testing').toString('base64')}`;

test('webhook deliveries: JSON DispatchReq, signatures, ret.code, 5xx retried, 4xx not', async (t) => {
  const f = await startDispatcher(t);
  const hits: Hit[] = [];
  const webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString()) as Record<string, unknown>;
      hits.push({ body, raw, headers: req.headers, path: req.url ?? '' });
      const data = Buffer.from(String((body.event as Record<string, unknown>).data), 'base64').toString();
      const tries = hits.filter((h) => h.body.event_id === body.event_id).length;
      const json = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (data === 'retcode' && tries === 1) return json(200, { ret: { code: 777, msg: 'busy' }, pass_back: Buffer.from('pb-1').toString('base64') });
      if (data === '500' && tries === 1) return json(500, { ret: { code: 1, msg: 'oops' } });
      if (data === '400') return json(400, { ret: { code: 10000, msg: 'bad request' } });
      if (data === 'cancel') return json(200, { ret: { code: 30000, msg: 'stop' } });
      // Success with an empty body.
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
  const port = (webhook.address() as AddressInfo).port;
  await f.runScheduler();
  await f.register({
    dispatcher_id: 'hook',
    protocol_type: 'httpSend',
    addr: `127.0.0.1:${port}/dispatch?x=1`,
    webhook_secret: SECRET,
    auth_token: 'tok-123',
    retry_strategy: { retry_count: 3, retry_interval: 100 },
  });

  await t.test('the webhook gets the Go-struct JSON DispatchReq with signed Standard Webhooks headers', async () => {
    await f.produceTasks('hook', [{ task: task('2001', '{"hook":true}', { repeat_times: 0 }) }]);
    const delivery = await waitForDelivery(f, '2001', 'hook', ['succeeded']);
    const hit = hits.find((h) => h.body.event_id === '2001');
    assert.ok(hit !== undefined);
    assert.equal(hit.path, '/dispatch?x=1');
    assert.deepEqual(Object.keys(hit.body).sort(), ['event', 'event_id', 'pass_back', 'repeat_times', 'retry_times']);
    const event = hit.body.event as Record<string, unknown>;
    assert.equal(event.app_id, 'shop');
    assert.equal(event.topic_id, 'order');
    assert.equal(Buffer.from(String(event.data), 'base64').toString(), '{"hook":true}');
    assert.equal(hit.body.retry_times, 0);
    assert.equal(hit.headers['content-type'], 'application/json');
    assert.equal(hit.headers.authorization, 'Bearer tok-123');
    assert.equal(hit.headers['webhook-id'], 'msg_2001_hook');
    assert.match(String(hit.headers['webhook-timestamp']), /^\d+$/);
    const headers = Object.fromEntries(Object.entries(hit.headers).map(([k, v]) => [k, String(v)]));
    assert.ok(verifySignature(SECRET, headers, hit.raw), 'signature verifies over the exact body');
    assert.equal(delivery.attempts[0]?.response_status, 204);
  });

  await t.test('a JSON ret.code on a 200 is a failure: retried with pass_back, then success', async () => {
    await f.produceTasks('hook', [{ task: task('2002', 'retcode') }]);
    const delivery = await waitForDelivery(f, '2002', 'hook', ['succeeded']);
    const tries = hits.filter((h) => h.body.event_id === '2002');
    assert.equal(tries.length, 2);
    assert.equal(tries[1]?.body.retry_times, 1);
    assert.equal(Buffer.from(String(tries[1]?.body.pass_back), 'base64').toString(), 'pb-1');
    assert.equal(tries[0]?.headers['webhook-id'], tries[1]?.headers['webhook-id'], 'webhook-id is stable across retries');
    assert.deepEqual(
      delivery.attempts.map((a) => [a.outcome, a.ret_code, a.response_status]),
      [
        ['failure', 777, 200],
        ['success', 0, 204],
      ],
    );
  });

  await t.test('500 is retried', async () => {
    await f.produceTasks('hook', [{ task: task('2003', '500') }]);
    const delivery = await waitForDelivery(f, '2003', 'hook', ['succeeded']);
    assert.deepEqual(
      delivery.attempts.map((a) => [a.error_code, a.response_status]),
      [
        ['http:500', 500],
        [null, 204],
      ],
    );
    assert.match(delivery.attempts[0]?.response_excerpt ?? '', /oops/);
  });

  await t.test('400 is not retried: failed after one attempt', async () => {
    await f.produceTasks('hook', [{ task: task('2004', '400') }]);
    const delivery = await waitForDelivery(f, '2004', 'hook', ['failed']);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0]?.error_code, 'http:400');
    assert.equal(hits.filter((h) => h.body.event_id === '2004').length, 1);
  });

  await t.test('30000 in the JSON body cancels', async () => {
    await f.produceTasks('hook', [{ task: task('2005', 'cancel') }]);
    const delivery = await waitForDelivery(f, '2005', 'hook', ['cancelled']);
    assert.equal(delivery.attempts.length, 1);
  });
});
