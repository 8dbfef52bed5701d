// The kafkajs settings of a source on another cluster. Its row holds references only; they are resolved
// here, when its consumer starts: SASL credentials from the producer's environment variables or from
// files mounted from Secrets, TLS files read from their paths. A reference that does not resolve fails
// the start with a message naming the field and the reference (never the value), and the runner tries
// again shortly (a Secret mounted late, an env var fixed by a redeploy).
import { readFileSync } from 'node:fs';
import { ConfigError, CoreErrors, type KafkaClientConfig } from '@eventyard/core';
import type { SourceCluster } from '@eventyard/evhub';
import type { KafkaConfig as KafkaJsConfig } from 'kafkajs';

export interface SourceKafka {
  config: KafkaClientConfig;
  /** kafkajs settings beyond what KafkaClientConfig says (client certificates, server name). */
  overrides: Partial<KafkaJsConfig>;
}

export function sourceKafkaConfig(cluster: SourceCluster, clientId: string, env: (name: string) => string | undefined): SourceKafka {
  const config: KafkaClientConfig = { brokers: cluster.brokers, clientId };
  const overrides: Partial<KafkaJsConfig> = {};
  if (cluster.sasl !== null) {
    const { mechanism } = cluster.sasl;
    const username = credential(cluster.sasl.username_env, cluster.sasl.username_file, 'cluster.sasl.username', env);
    const password = credential(cluster.sasl.password_env, cluster.sasl.password_file, 'cluster.sasl.password', env);
    config.sasl = { mechanism, username, password };
  }
  if (cluster.tls !== null) {
    const tls = cluster.tls;
    overrides.ssl = {
      ...(tls.ca_file === undefined ? {} : { ca: [file(tls.ca_file, 'cluster.tls.ca_file')] }),
      ...(tls.cert_file === undefined ? {} : { cert: file(tls.cert_file, 'cluster.tls.cert_file') }),
      ...(tls.key_file === undefined ? {} : { key: file(tls.key_file, 'cluster.tls.key_file') }),
      ...(tls.server_name === undefined ? {} : { servername: tls.server_name }),
    };
  }
  return { config, overrides };
}

function credential(envName: string | undefined, path: string | undefined, field: string, env: (name: string) => string | undefined): string {
  if (envName !== undefined) {
    const value = env(envName);
    if (value === undefined || value === '')
      throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, `${field}_env: environment variable ${envName} is not set in the producer`);
    return value;
  }
  // A mounted Secret's file ends with a newline more often than not; the credential does not.
  return file(path ?? '', `${field}_file`).replace(/\r?\n$/, '');
}

function file(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, `${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
