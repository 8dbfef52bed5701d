// Webhook signing end to end through the dispatcher: secrets sealed with EY_SECRETS_KEY are opened and
// signed with; during a rotation overlap a webhook gets two signatures (either secret verifies), after it
// only the new one; a gRPC delivery carries the same triple in metadata over the protobuf bytes, checked
// by the SDK's Dispatch server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSecretKey } from '@eventyard/core';
import { rotateProcessorSecret, useSecretKeyring } from '@eventyard/db';
import { startDispatchServer, verifyDispatchSignature, verifySignature, type DispatchContext } from '@eventyard/sdk';
import { startDispatcher, task, waitFor, waitForDelivery } from './fixture.ts';

const OLD = `whsec_${Buffer.from('the-old-secret-of-32-bytes-12345').toString('base64')}`;
const WRONG = `whsec_${Buffer.from('a-wrong-secret-of-32-bytes-12345').toString('base64')}`;

test('signatures: sealed secrets opened, two signatures during a rotation overlap then one, gRPC metadata signed', async (t) => {
  const f = await startDispatcher(t, { EY_SECRETS_KEY: generateSecretKey() });
  // The test writes processors the way admin does: sealed with the same key.
  useSecretKeyring(f.db.knex, f.config.secrets.keyring);
  const hits: Array<{ raw: Buffer; headers: Record<string, string>; eventId: string }> = [];
  const webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      hits.push({ raw, headers: flat(req.headers), eventId: String((JSON.parse(raw.toString()) as { event_id: unknown }).event_id) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
  await f.register({
    dispatcher_id: 'hook',
    protocol_type: 'httpSend',
    addr: `127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
    webhook_secret: OLD,
  });
  const raw = (await f.db.knex('processors').where({ dispatcher_id: 'hook' }).first('webhook_secret')) as { webhook_secret: string };
  assert.ok(raw.webhook_secret.startsWith('eyenc:v1:'), 'stored sealed');

  const rotated = await rotateProcessorSecret(f.db.knex, 'hook', { overlapMs: 4000 });
  const NEW = rotated?.generatedWebhookSecret ?? '';
  const overlapEnd = rotated?.record.webhook_secret_previous_expires_at?.getTime() ?? 0;
  // The rotation reaches the dispatcher through NOTIFY; deliveries before that are signed with OLD only.
  await waitFor(
    async () => {
      const id = String(3000 + hits.length + 1);
      await f.produceTasks('hook', [{ task: task(id, 'x') }]);
      await waitForDelivery(f, id, 'hook', ['succeeded']);
      return (hits.at(-1)?.headers['webhook-signature'] ?? '').split(' ').length === 2;
    },
    3000,
    'a delivery signed with both secrets',
  );
  const during = hits.at(-1);
  assert.ok(during !== undefined && Date.now() < overlapEnd, 'still inside the overlap');
  const [first, second] = during.headers['webhook-signature']?.split(' ') ?? [];
  assert.ok(verifySignature(NEW, { ...during.headers, 'webhook-signature': first ?? '' }, during.raw), 'the current secret signs first');
  assert.ok(verifySignature(OLD, { ...during.headers, 'webhook-signature': second ?? '' }, during.raw));
  assert.ok(verifySignature(OLD, during.headers, during.raw), 'a consumer still on the old secret accepts it');
  assert.ok(!verifySignature(WRONG, during.headers, during.raw));

  await waitFor(() => Date.now() > overlapEnd, 10_000, 'the overlap to end');
  await f.produceTasks('hook', [{ task: task('3999', 'after') }]);
  await waitForDelivery(f, '3999', 'hook', ['succeeded']);
  const after = hits.find((h) => h.eventId === '3999');
  assert.ok(after !== undefined);
  assert.equal(after.headers['webhook-signature']?.split(' ').length, 1, 'after the overlap: one signature');
  assert.ok(verifySignature(NEW, after.headers, after.raw));
  assert.ok(!verifySignature(OLD, after.headers, after.raw), 'the old secret no longer verifies');

  // gRPC: the SDK server refuses calls whose metadata signature does not verify (UNAUTHENTICATED).
  const seen: DispatchContext[] = [];
  const server = await startDispatchServer({
    host: '127.0.0.1',
    secret: OLD,
    handler: (_req, context) => (seen.push(context), { ret: { code: 0, msg: 'ok' } }),
  });
  t.after(() => server.close());
  await f.register({
    dispatcher_id: 'rpc',
    protocol_type: 'grpcSend',
    addr: `127.0.0.1:${server.port}`,
    webhook_secret: OLD,
    retry_strategy: { retry_count: 1 },
  });
  await f.produceTasks('rpc', [{ task: task('4001', 'grpc payload') }]);
  await waitForDelivery(f, '4001', 'rpc', ['succeeded']);
  const context = seen[0];
  assert.ok(context !== undefined);
  assert.equal(context.headers['webhook-id'], 'msg_4001_rpc');
  assert.match(context.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
  assert.ok(verifyDispatchSignature(OLD, context), 'signed over the protobuf bytes as received');
  assert.ok(!verifyDispatchSignature(WRONG, context));
  assert.ok(!verifyDispatchSignature(OLD, { ...context, body: Buffer.concat([context.body, Buffer.from([0])]) }), 'other bytes do not verify');

  const strict = await startDispatchServer({ host: '127.0.0.1', secret: WRONG, handler: () => ({ ret: { code: 0, msg: 'ok' } }) });
  t.after(() => strict.close());
  await f.register({
    dispatcher_id: 'rpc-wrong',
    protocol_type: 'grpcSend',
    addr: `127.0.0.1:${strict.port}`,
    webhook_secret: OLD,
    retry_strategy: { retry_count: 1 },
  });
  await f.produceTasks('rpc-wrong', [{ task: task('4002', 'grpc payload') }]);
  const refused = await waitForDelivery(f, '4002', 'rpc-wrong', ['dead', 'failed']);
  assert.match(JSON.stringify(refused.attempts[0]), /UNAUTHENTICATED|missing or invalid webhook signature/);
});

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
}
