// A processor's JSON filter is compiled on save by the router's own compiler: an unknown operator is
// refused with a message naming its path, and a valid filter is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@eventyard/core';
import { createDatabase } from '@eventyard/db/testing';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { TEST_ADMIN_TOKEN } from './fixture.ts';

test('filters are compiled when a processor is saved', async (t) => {
  const { url } = await createDatabase(t);
  const app = createApp(
    loadConfig({
      EY_DATABASE_URL: url,
      EY_ADMIN_PORT: '0',
      EY_HEALTH_PORT: '0',
      EY_ADMIN_HOST: '127.0.0.1',
      EY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      EY_EGRESS_ALLOW: '127.0.0.0/8',
    }),
    { logger: silentLogger() },
  );
  await app.start();
  t.after(() => app.close());
  const post = (filter: unknown) =>
    fetch(`http://127.0.0.1:${app.ports.http}/v1/processor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify({
        processor_conf_info: { dispatcher_id: 'f1', app_id: 'a', topic_id: 't', protocol_type: 'grpcSend', addr: '127.0.0.1:1', filter },
      }),
    });
  const bad = await post({ $and: [{ a: 1 }, { amount: { $gtt: 5 } }] });
  assert.equal(bad.status, 400);
  const body = (await bad.json()) as { ret: { code: number; msg: string } };
  assert.equal(body.ret.code, 10000);
  assert.match(body.ret.msg, /processor_conf_info\.filter\.\$and\[1\]\.amount: unknown operator "\$gtt"/);
  const good = await post({ amount: { $gte: 5 }, 'user.tier': { $in: ['gold'] } });
  assert.equal(good.status, 200, await good.text());
});
