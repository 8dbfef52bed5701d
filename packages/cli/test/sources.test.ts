// Sources through the CLI against a real admin: `eventyard apply` creates, updates (only the diff) and
// deletes a file's sources; `eventyard sources list|get|pause|resume|delete`; a bad source in a file fails
// with one line naming the entry and field before any call.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCliFixture } from './fixture.ts';

const FIRST = `
sources:
  - source_id: orders-in
    app_id: shop
    topic_id: order
    topic: orders
    start_from: earliest
    mapping:
      ordering_key: {from: header, header: customer}
      tag_headers: [region]
      idempotency_key: {header: msg-id}
  - source_id: legacy
    app_id: shop
    topic_id: order
    topic: legacy-orders
    cluster:
      brokers: [kafka-old:9093]
      sasl: {mechanism: scram-sha-256, username_env: LEGACY_USER, password_file: /etc/eventyard/sources/legacy/password}
      tls: {ca_file: /etc/eventyard/sources/legacy/ca.crt}
`;

const SECOND = `
sources:
  - source_id: orders-in
    app_id: shop
    topic_id: order
    topic: orders
    start_from: earliest
    mapping:
      ordering_key: {from: key}
      tag_headers: [region]
      idempotency_key: {header: msg-id}
`;

test('sources through apply and the sources commands', async (t) => {
  const { run } = await startCliFixture(t);
  const dir = await mkdtemp(join(tmpdir(), 'eventyard-sources-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  await t.test('apply creates, then changes only the diff and deletes what the file drops', async () => {
    const first = await run(['apply', '-f', await file('first.yaml', FIRST)]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '+ create source orders-in\n+ create source legacy\napply: 2 created, 0 updated, 0 deleted, 0 unchanged\n');
    const again = await run(['apply', '-f', join(dir, 'first.yaml')]);
    assert.equal(again.stdout, 'apply: nothing to change (2 unchanged)\n');
    const second = await run(['apply', '-f', await file('second.yaml', SECOND)]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stdout,
      '~ update source orders-in: mapping.ordering_key.from header → key, mapping.ordering_key.header customer → (none)\n- delete source legacy\napply: 0 created, 1 updated, 1 deleted, 0 unchanged\n',
    );
  });

  await t.test('list, get, pause, resume, delete', async () => {
    const list = await run(['sources', 'list', '-o', 'json']);
    assert.equal(list.code, 0, list.stderr);
    const body = JSON.parse(list.stdout) as { sources: Array<{ source_id: string; version: number }> };
    assert.deepEqual(
      body.sources.map((s) => [s.source_id, s.version]),
      [['orders-in', 2]],
    );
    const table = await run(['sources', 'list']);
    assert.match(table.stdout, /orders-in .*orders .*\(own\) .*shop .*order .*active/);
    assert.match((await run(['sources', 'pause', 'orders-in'])).stdout, /^paused source orders-in \(version 3\)/);
    assert.match((await run(['sources', 'get', 'orders-in'])).stdout, /paused\s+true/);
    assert.match((await run(['sources', 'resume', 'orders-in'])).stdout, /^resumed source orders-in \(version 4\)/);
    assert.match((await run(['sources', 'delete', 'orders-in'])).stdout, /^deleted source orders-in/);
    const missing = await run(['sources', 'get', 'orders-in']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /source "orders-in" not found \(EY_SOURCE_NOT_FOUND, HTTP 404\)/);
  });

  await t.test('a bad source in a file is named before any call', async () => {
    const bad = await run([
      'apply',
      '-f',
      await file(
        'bad.yaml',
        'sources:\n  - {source_id: s, app_id: a, topic_id: t, topic: x, cluster: {brokers: [k:1], sasl: {mechanism: plain, username: u, password: p}}}\n',
      ),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.yaml: sources\[0\] \(s\): cluster\.sasl takes credentials by reference only/);
  });
});
