// apply's writes are optimistic: a step planned against one version fails with the admin's 409, as one
// line, when the object changed (or appeared) between the plan and the write, instead of overwriting it.
// The plan and the write are apply's own functions, run in-process against a real admin.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEventyardError } from '@eventyard/core';
import { upsertProcessor } from '@eventyard/db';
import { createAdminClient } from '../src/admin-client.ts';
import { carryOutStep, planApply } from '../src/apply.ts';
import { parseConfigFile } from '../src/config-file.ts';
import { startCliFixture } from './fixture.ts';

const FILE = `
processors:
  - {dispatcher_id: billing, app_id: shop, topic_id: order, protocol_type: grpcSend, addr: 127.0.0.1:7000, timeout: 5000}
  - {dispatcher_id: fraud, app_id: shop, topic_id: order, protocol_type: grpcSend, addr: 127.0.0.1:7001}
  - {dispatcher_id: audit-v2, app_id: shop, topic_id: order, protocol_type: grpcSend, addr: 127.0.0.1:7002}
`;

test('a change between plan and write is a clean 409, not an overwrite', async (t) => {
  const { db, adminUrl, adminToken } = await startCliFixture(t);
  const processor = { app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend' as const };
  await upsertProcessor(db.knex, { dispatcher_id: 'billing', ...processor, addr: '127.0.0.1:7000', timeout: 3000 });
  await upsertProcessor(db.knex, { dispatcher_id: 'audit', ...processor, addr: '127.0.0.1:7009' });
  const client = createAdminClient({ baseUrl: adminUrl, token: adminToken });
  const steps = await planApply(client, parseConfigFile('eventyard.yaml', FILE), { scope: 'all' });
  const step = (action: string, id: string) => {
    const found = steps.find((s) => s.action === action && s.id === id);
    assert.ok(found !== undefined, `no ${action} ${id} in ${JSON.stringify(steps)}`);
    return found;
  };

  // Someone else changes billing, creates fraud and edits audit after the plan was made.
  await upsertProcessor(db.knex, { dispatcher_id: 'billing', ...processor, addr: '127.0.0.1:7000', timeout: 4000 });
  await upsertProcessor(db.knex, { dispatcher_id: 'fraud', ...processor, addr: '127.0.0.1:7777' });
  await upsertProcessor(db.knex, { dispatcher_id: 'audit', ...processor, addr: '127.0.0.1:7010' });

  for (const [action, id] of [
    ['update', 'billing'],
    ['create', 'fraud'],
    ['delete', 'audit'],
  ] as const) {
    await assert.rejects(carryOutStep(client, step(action, id)), (err: unknown) => {
      assert.ok(isEventyardError(err));
      assert.match(err.message, new RegExp(`^eventyard: processor "${id}" [^\\n]*\\(EY_[A-Z_]+, HTTP 409\\)$`));
      return true;
    });
  }
  // Nothing was overwritten; the step with no conflict still goes through.
  const billing = (await db.knex('processors').where({ dispatcher_id: 'billing' }).first()) as { timeout: number; version: number };
  assert.deepEqual([billing.timeout, billing.version], [4000, 2]);
  assert.equal(((await db.knex('processors').where({ dispatcher_id: 'fraud' }).first()) as { addr: string }).addr, '127.0.0.1:7777');
  assert.ok((await db.knex('processors').where({ dispatcher_id: 'audit' }).first()) !== undefined);
  await carryOutStep(client, step('create', 'audit-v2'));
  assert.ok((await db.knex('processors').where({ dispatcher_id: 'audit-v2' }).first()) !== undefined);
});
