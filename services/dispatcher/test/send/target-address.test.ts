// Processor addresses as EvHub wrote them, turned into dial targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError } from '@eventyard/core';
import { DispatcherErrors } from '../../src/error-codes.ts';
import { grpcTarget, webhookUrl } from '../../src/send/target-address.ts';

test('gRPC targets: host:port with optional ip:// or dns:// prefix', () => {
  assert.equal(grpcTarget('billing:9001'), 'billing:9001');
  assert.equal(grpcTarget('ip://10.0.0.5:9001'), '10.0.0.5:9001');
  assert.equal(grpcTarget('dns://billing.svc:9001'), 'billing.svc:9001');
  assert.equal(grpcTarget('DNS:///billing.svc:9001'), 'billing.svc:9001');
  assert.equal(grpcTarget('  10.0.0.5:9001 '), '10.0.0.5:9001');
  assert.throws(
    () => grpcTarget('ip://'),
    (err) => isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_INVALID_TARGET.code && !err.retriable,
  );
});

test('webhook URLs: http:// prepended to EvHub host:port/path, explicit http(s) kept, other schemes refused', () => {
  assert.equal(webhookUrl('hooks.example.com:8080/evhub').href, 'http://hooks.example.com:8080/evhub');
  assert.equal(webhookUrl('https://hooks.example.com/evhub?x=1').href, 'https://hooks.example.com/evhub?x=1');
  assert.throws(
    () => webhookUrl('ftp://hooks.example.com/x'),
    (err) => isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_INVALID_TARGET.code,
  );
  assert.throws(
    () => webhookUrl('http://'),
    (err) => isEventyardError(err) && err.code === DispatcherErrors.EY_DISPATCH_INVALID_TARGET.code,
  );
});
