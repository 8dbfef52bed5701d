import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEventyardError, loadCoreConfig, parseEnv, field } from '../src/index.ts';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isEventyardError(err), 'a ConfigError');
    assert.equal(err.code, 'EY_CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('defaults give a usable config, frozen', () => {
  const config = loadCoreConfig({});
  assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.logLevel, 'info');
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.kafka) && Object.isFrozen(config.kafka.brokers));
});

test('a malformed DATABASE_URL gives one line naming the variable as set, without echoing it', () => {
  const message = configError(() => loadCoreConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' }));
  assert.equal(message, 'config: DATABASE_URL: must be a postgres://user:password@host:port/database URL');
  assert.ok(!message.includes('hunter2'));
  const canonical = configError(() => loadCoreConfig({ EY_DATABASE_URL: 'not a url' }));
  assert.equal(canonical, 'config: EY_DATABASE_URL: must be a postgres://user:password@host:port/database URL');
});

test('a non-numeric port names the variable', () => {
  assert.equal(
    configError(() => loadCoreConfig({ EY_HEALTH_PORT: 'eighty' })),
    'config: EY_HEALTH_PORT: must be an integer port 0-65535',
  );
  assert.equal(
    configError(() => loadCoreConfig({ EY_HEALTH_PORT: '70000' })),
    'config: EY_HEALTH_PORT: must be an integer port 0-65535',
  );
});

test('several bad variables give one line each', () => {
  const message = configError(() => loadCoreConfig({ EY_HEALTH_PORT: 'x', EY_KAFKA_BROKERS: 'nohost', EY_KAFKA_TLS: 'yes' }));
  assert.deepEqual(message.split('\n').sort(), [
    'config: EY_HEALTH_PORT: must be an integer port 0-65535',
    'config: EY_KAFKA_BROKERS: must be a comma-separated list of host:port',
    'config: EY_KAFKA_TLS: must be true, false, 1 or 0',
  ]);
});

test('aliases and canonical names: canonical wins, both parse', () => {
  const config = loadCoreConfig({ KAFKA_BROKERS: 'a:1, b:2', DATABASE_URL: 'postgres://u:p@h:5432/d' });
  assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
  assert.equal(config.databaseUrl, 'postgres://u:p@h:5432/d');
  assert.deepEqual(loadCoreConfig({ KAFKA_BROKERS: 'a:1', EY_KAFKA_BROKERS: 'c:3' }).kafka.brokers, ['c:3']);
});

test('SASL needs credentials; TLS and SASL reach the kafka config', () => {
  assert.equal(
    configError(() => loadCoreConfig({ EY_KAFKA_SASL_MECHANISM: 'plain', EY_KAFKA_SASL_USERNAME: 'u' })),
    'config: EY_KAFKA_SASL_PASSWORD: required when EY_KAFKA_SASL_MECHANISM is set',
  );
  const config = loadCoreConfig({ EY_KAFKA_SASL_MECHANISM: 'scram-sha-512', EY_KAFKA_SASL_USERNAME: 'u', EY_KAFKA_SASL_PASSWORD: 'p', EY_KAFKA_TLS: '1' });
  assert.deepEqual(config.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.deepEqual(config.kafka.tls, {});
});

test('required variables say "required"; empty strings count as unset', () => {
  const shape = { EY_NEEDED: field.int(1, 10), EY_OPTIONAL: field.int(1, 10).default(5) };
  assert.equal(
    configError(() => parseEnv(shape, {})),
    'config: EY_NEEDED: required',
  );
  assert.deepEqual(parseEnv(shape, { EY_NEEDED: '3', EY_OPTIONAL: '' }), { EY_NEEDED: 3, EY_OPTIONAL: 5 });
  assert.equal(
    configError(() => parseEnv(shape, { EY_NEEDED: '11' })),
    'config: EY_NEEDED: must be an integer in [1, 10]',
  );
});

test('topic durability: EY_KAFKA_REPLICATION_FACTOR (or its older name) and EY_KAFKA_MIN_INSYNC_REPLICAS', () => {
  assert.deepEqual(loadCoreConfig({}).topics, { partitions: 6, replicationFactor: -1 });
  assert.deepEqual(loadCoreConfig({ EY_KAFKA_REPLICATION_FACTOR: '3', EY_KAFKA_MIN_INSYNC_REPLICAS: '2' }).topics, {
    partitions: 6,
    replicationFactor: 3,
    minInsyncReplicas: 2,
  });
  assert.equal(loadCoreConfig({ EY_TOPIC_REPLICATION_FACTOR: '2' }).topics.replicationFactor, 2);
  assert.throws(
    () => loadCoreConfig({ EY_KAFKA_REPLICATION_FACTOR: '1', EY_KAFKA_MIN_INSYNC_REPLICAS: '2' }),
    /config: EY_KAFKA_MIN_INSYNC_REPLICAS: must be at most EY_KAFKA_REPLICATION_FACTOR \(1\)/,
  );
  assert.throws(() => loadCoreConfig({ EY_KAFKA_MIN_INSYNC_REPLICAS: '0' }), /config: EY_KAFKA_MIN_INSYNC_REPLICAS: must be an integer in \[1, 32\]/);
});
