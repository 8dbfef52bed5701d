// `eventyard apply -f` against a real admin: a file round-trips; an edited file changes only its diff
// (unchanged processors keep their version); --dry-run prints the diff and writes nothing; other apps'
// config is out of scope; a bad file fails with one line naming the entry and field before any call.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCliFixture } from './fixture.ts';

const FIRST = `
producers:
  - app_id: shop
    topic_id: order
    tx_protocol_type: 5
    tx_address: 127.0.0.1:8080/tx
processors:
  - dispatcher_id: billing
    app_id: shop
    topic_id: order
    protocol_type: grpcSend
    addr: 127.0.0.1:7000
    timeout: 3000
    filter_tag: {vip: true}
  - dispatcher_id: shipping
    app_id: shop
    topic_id: order
    protocol_type: httpSend
    addr: 127.0.0.1:7001/hook
    retry_strategy: {retry_count: 3, retry_interval: 1000}
  - dispatcher_id: audit
    app_id: shop
    topic_id: order
    protocol_type: grpcSend
    addr: 127.0.0.1:7002
`;

// billing's timeout changes, shipping stays (written in another order, with a default spelled out),
// audit goes, fraud comes.
const SECOND = `
producers:
  - {app_id: shop, topic_id: order, tx_protocol_type: 5, tx_address: 127.0.0.1:8080/tx}
processors:
  - dispatcher_id: billing
    app_id: shop
    topic_id: order
    protocol_type: grpcSend
    addr: 127.0.0.1:7000
    timeout: 5000
    filter_tag: {vip: true}
  - addr: 127.0.0.1:7001/hook
    protocol_type: httpSend
    topic_id: order
    app_id: shop
    dispatcher_id: shipping
    is_stop: false
    retry_strategy: {retry_interval: 1000, retry_count: 3}
  - dispatcher_id: fraud
    app_id: shop
    topic_id: order
    protocol_type: grpcSend
    addr: 127.0.0.1:7003
`;

interface Listed {
  dispatcher_id: string;
  app_id: string;
  version: number;
  timeout: number;
  addr: string;
  protocol_type: string;
  filter_tag: Record<string, boolean>;
  retry_strategy: { retry_count: number; retry_interval: number };
}

test('apply', async (t) => {
  const { run } = await startCliFixture(t);
  const dir = await mkdtemp(join(tmpdir(), 'eventyard-apply-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const list = async (appId: string): Promise<Map<string, Listed>> => {
    const res = await run(['processors', 'list', '--app-id', appId, '-o', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const body = JSON.parse(res.stdout) as { processors: Listed[] };
    return new Map(body.processors.map((p) => [p.dispatcher_id, p]));
  };

  // Another app's processor, which a file for "shop" must never touch.
  const crmFile = await file(
    'crm.yaml',
    'processors:\n  - {dispatcher_id: crm-sync, app_id: crm, topic_id: lead, protocol_type: grpcSend, addr: 127.0.0.1:7100}\n',
  );
  assert.equal((await run(['apply', '-f', crmFile])).code, 0);

  await t.test('a file round-trips: apply it, list it back', async () => {
    const res = await run(['apply', '-f', await file('first.yaml', FIRST)]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      [
        '+ create producer shop/order',
        '+ create processor billing',
        '+ create processor shipping',
        `  webhook_secret of processor shipping (generated, shown only now): ${generatedSecret(res.stdout)}`,
        '+ create processor audit',
        'apply: 4 created, 0 updated, 0 deleted, 0 unchanged',
        '',
      ].join('\n'),
    );
    const processors = await list('shop');
    assert.deepEqual([...processors.keys()].sort(), ['audit', 'billing', 'shipping']);
    const billing = processors.get('billing');
    assert.equal(billing?.addr, '127.0.0.1:7000');
    assert.equal(billing?.protocol_type, 'grpcSend');
    assert.equal(billing?.timeout, 3000);
    assert.deepEqual(billing?.filter_tag, { vip: true });
    assert.deepEqual(processors.get('shipping')?.retry_strategy, { retry_count: 3, retry_interval: 1000, strategy_type: '' });
    for (const p of processors.values()) assert.equal(p.version, 1);

    const again = await run(['apply', '-f', join(dir, 'first.yaml')]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'apply: nothing to change (4 unchanged)\n');
    for (const p of (await list('shop')).values()) assert.equal(p.version, 1, `${p.dispatcher_id} was rewritten by a no-op apply`);
  });

  await t.test('--dry-run prints the diff and writes nothing', async () => {
    const res = await run(['apply', '--dry-run', '-f', await file('second.yaml', SECOND)]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      [
        '~ update processor billing: timeout 3000 → 5000',
        '+ create processor fraud',
        '- delete processor audit',
        'dry run: 1 to create, 1 to update, 1 to delete, 2 unchanged; nothing was written',
        '',
      ].join('\n'),
    );
    const processors = await list('shop');
    assert.deepEqual([...processors.keys()].sort(), ['audit', 'billing', 'shipping']);
    assert.equal(processors.get('billing')?.timeout, 3000);
    for (const p of processors.values()) assert.equal(p.version, 1);
  });

  await t.test('an edited file changes only its diff', async () => {
    const res = await run(['apply', '-f', join(dir, 'second.yaml')]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /apply: 1 created, 1 updated, 1 deleted, 2 unchanged\n$/);
    const processors = await list('shop');
    assert.deepEqual([...processors.keys()].sort(), ['billing', 'fraud', 'shipping']);
    assert.equal(processors.get('billing')?.timeout, 5000);
    assert.equal(processors.get('billing')?.version, 2);
    assert.equal(processors.get('shipping')?.version, 1);
    assert.equal(processors.get('fraud')?.version, 1);
    // Out of scope: the file names only app "shop".
    assert.equal((await list('crm')).get('crm-sync')?.version, 1);
    const producer = await run(['-o', 'json', 'apply', '--dry-run', '-f', join(dir, 'second.yaml')]);
    const plan = JSON.parse(producer.stdout) as { summary: Record<string, number>; app_ids: string[] };
    assert.deepEqual(plan.summary, { create: 0, update: 0, delete: 0, unchanged: 4 });
    assert.deepEqual(plan.app_ids, ['shop']);
  });

  await t.test('processors apply creates and updates but never deletes', async () => {
    const only = await file(
      'only.json',
      JSON.stringify([{ dispatcher_id: 'billing', app_id: 'shop', topic_id: 'order', protocol_type: 'grpcSend', addr: '127.0.0.1:7000', timeout: 6000 }]),
    );
    const res = await run(['processors', 'apply', '-f', only]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout,
      '~ update processor billing: timeout 5000 → 6000, filter_tag.vip true → (none)\napply: 0 created, 1 updated, 0 deleted, 0 unchanged\n',
    );
    assert.deepEqual([...(await list('shop')).keys()].sort(), ['billing', 'fraud', 'shipping']);
  });

  await t.test('secrets are write-only: a set secret is no change; a webhook without one in the file keeps the stored one', async () => {
    const hook = { dispatcher_id: 'hook', app_id: 'shop', topic_id: 'order', protocol_type: 'httpSend', addr: 'http://127.0.0.1:7004/hook' };
    const withSecret = await file('hook.json', JSON.stringify({ processors: [{ ...hook, webhook_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }] }));
    assert.equal(
      (await run(['processors', 'apply', '-f', withSecret])).stdout,
      '+ create processor hook\napply: 1 created, 0 updated, 0 deleted, 0 unchanged\n',
    );
    assert.equal((await run(['processors', 'apply', '-f', withSecret])).stdout, 'apply: nothing to change (1 unchanged)\n');
    const without = await file('hook-plain.json', JSON.stringify({ processors: [hook] }));
    const res = await run(['processors', 'apply', '--dry-run', '-f', without]);
    assert.equal(res.stdout, 'dry run: 0 to create, 0 to update, 0 to delete, 1 unchanged; nothing was written\n');
    assert.equal((await list('shop')).get('hook')?.version, 1);
  });

  await t.test('a transform and a webhook format apply like any field; applying again is no change', async () => {
    const hook = {
      dispatcher_id: 'ce-hook',
      app_id: 'shop',
      topic_id: 'order',
      protocol_type: 'httpSend',
      addr: 'http://127.0.0.1:7005/hook',
      transform: '{"order": id}',
      webhook_format: 'cloudevents_binary',
    };
    const path = await file('ce-hook.json', JSON.stringify({ processors: [hook] }));
    const res = await run(['processors', 'apply', '-f', path]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /\+ create processor ce-hook/);
    assert.equal((await run(['processors', 'apply', '-f', path])).stdout, 'apply: nothing to change (1 unchanged)\n');
    const edited = await file('ce-hook-2.json', JSON.stringify({ processors: [{ ...hook, transform: '{"order": id, "n": 1}' }] }));
    assert.match((await run(['processors', 'apply', '--dry-run', '-f', edited])).stdout, /~ update processor ce-hook: transform/);
  });

  await t.test('an invalid file: exit 1, one line naming file, entry and field, nothing written', async () => {
    const cases: Array<[string, string]> = [
      [FIRST.replace('timeout: 3000', 'timeout: "3000"'), 'processors[0] (billing): timeout must be an integer'],
      [FIRST.replace('retry_count: 3', 'retry_cout: 3'), 'processors[1] (shipping): retry_strategy.retry_cout is not a known field'],
      [FIRST.replace('protocol_type: httpSend', 'protocol_type: soap'), 'processors[1] (shipping): protocol_type must be one of grpcSend, httpSend'],
      [FIRST.replace('dispatcher_id: audit', 'dispatcher_id: "bad id!"'), 'processors[2] (bad id!): dispatcher_id'],
      [
        FIRST.replace('    addr: 127.0.0.1:7001/hook\n', `    addr: 127.0.0.1:7001/hook\n    transform: '{"a": '\n`),
        'processors[1] (shipping): transform: syntax error at position 6: Expected',
      ],
      [FIRST.replace('tx_protocol_type: 5', 'tx_protocol: 5'), 'producers[0] (shop/order): tx_protocol is not a known field'],
      [FIRST.replace('    addr: 127.0.0.1:7002\n', ''), 'processors[2] (audit): addr is required'],
      [FIRST.replace('dispatcher_id: audit', 'dispatcher_id: billing'), 'processors[2]: dispatcher_id "billing" appears twice'],
      ['processors: [\n', 'line '],
      ['surprise: 1\n', 'unknown top-level key "surprise"'],
    ];
    for (const [index, [text, message]] of cases.entries()) {
      const path = await file(`bad-${index}.yaml`, text);
      const res = await run(['apply', '-f', path]);
      assert.equal(res.code, 1, `${message}: ${res.stdout}`);
      assert.ok(res.stderr.startsWith(`eventyard: ${path}: ${message}`), `${res.stderr} does not start with: ${message}`);
      assert.equal(res.stderr.split('\n').length, 2, `not one line: ${res.stderr}`);
      assert.equal(res.stdout, '');
    }
    const missing = await run(['apply', '-f', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `eventyard: ${join(dir, 'nope.yaml')}: cannot read the file (ENOENT)\n`);
    assert.equal((await list('shop')).get('billing')?.timeout, 6000);
  });

  await t.test("a producer the file leaves out is deleted, within the file's apps only", async () => {
    const crmProducer = await file(
      'crm-producer.yaml',
      'producers:\n  - {app_id: crm, topic_id: lead, tx_address: 127.0.0.1:9/tx}\nprocessors:\n  - {dispatcher_id: crm-sync, app_id: crm, topic_id: lead, protocol_type: grpcSend, addr: 127.0.0.1:7100}\n',
    );
    assert.equal((await run(['apply', '-f', crmProducer])).code, 0);
    const withRefund = await file(
      'refund.yaml',
      SECOND.replace('producers:\n', 'producers:\n  - {app_id: shop, topic_id: refund, tx_address: 127.0.0.1:8080/refund}\n'),
    );
    assert.equal((await run(['apply', '-f', withRefund])).code, 0);
    const dry = await run(['apply', '--dry-run', '-f', join(dir, 'second.yaml')]);
    assert.equal(dry.stdout, '- delete producer shop/refund\ndry run: 0 to create, 0 to update, 1 to delete, 4 unchanged; nothing was written\n');
    const res = await run(['apply', '-f', join(dir, 'second.yaml')]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '- delete producer shop/refund\napply: 0 created, 0 updated, 1 deleted, 4 unchanged\n');
    const producers = JSON.parse((await run(['-o', 'json', 'apply', '--dry-run', '-f', crmProducer])).stdout) as { summary: Record<string, number> };
    assert.deepEqual(producers.summary, { create: 0, update: 0, delete: 0, unchanged: 2 }, 'crm/lead and crm-sync untouched');
  });
});

/** The secret the admin generated for `shipping`, as apply printed it. */
function generatedSecret(stdout: string): string {
  const match = /webhook_secret of processor shipping \(generated, shown only now\): (whsec_[A-Za-z0-9+/]{43}=)/.exec(stdout);
  assert.ok(match?.[1] !== undefined, `apply prints the generated secret: ${stdout}`);
  return match[1];
}
