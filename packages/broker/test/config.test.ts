// startBroker's options: validated once, one line per bad option, defaults filled in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { resolveBrokerConfig } from '../src/config.ts';

test('defaults: port 9092, loopback, fsync per produce, stable cluster id per data dir', () => {
  const config = resolveBrokerConfig({ dataDir: '/tmp/some-dir' });
  assert.equal(config.port, 9092);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.advertisedHost, '127.0.0.1');
  assert.deepEqual(config.flush, { mode: 'always' });
  assert.equal(config.groupInitialRebalanceDelayMs, 0);
  assert.equal(config.maxRequestBytes, 100 * 1024 * 1024);
  assert.equal(config.messageMaxBytes, 1_048_588);
  assert.equal(config.clusterId, resolveBrokerConfig({ dataDir: '/tmp/some-dir' }).clusterId);
  assert.notEqual(config.clusterId, resolveBrokerConfig({ dataDir: '/tmp/other-dir' }).clusterId);
  assert.equal(config.clusterId.length, 22);
  assert.ok(Object.isFrozen(config));
  assert.equal(resolveBrokerConfig({ dataDir: '/x', host: '0.0.0.0' }).advertisedHost, '127.0.0.1');
});

test('bad options are reported together, one line each, as a ConfigError', () => {
  assert.throws(
    () => resolveBrokerConfig({ dataDir: '', port: 70000, flush: { mode: 'interval', intervalMs: 0 }, defaultPartitions: 0 }),
    (err: unknown) => {
      assert.ok(isEventyardError(err));
      assert.equal(err.code, 'EY_BROKER_CONFIG');
      // Its row in BrokerErrors: a config error, HTTP 400, EvHub 20005, not retriable.
      assert.deepEqual([err.family, err.httpStatus, err.resultCode, err.retriable], ['config', 400, 20005, false]);
      assert.deepEqual(err.message.split('\n'), [
        'broker: dataDir: required',
        'broker: flush.intervalMs: must be a positive integer',
        'broker: port: must be an integer in [0, 65535]',
        'broker: defaultPartitions: must be an integer in [1, 100000]',
      ]);
      return true;
    },
  );
});

test("messageMaxBytes is an int of at least 0, as Kafka's message.max.bytes", () => {
  assert.equal(resolveBrokerConfig({ dataDir: '/x', messageMaxBytes: 0 }).messageMaxBytes, 0);
  assert.throws(() => resolveBrokerConfig({ dataDir: '/x', messageMaxBytes: -1 }), /messageMaxBytes: must be an integer in \[0, 2147483647\]/);
  assert.throws(() => resolveBrokerConfig({ dataDir: '/x', messageMaxBytes: 1.5 }), /messageMaxBytes/);
});
