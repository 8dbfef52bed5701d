// TLS of a service's listeners, from EY_TLS_* (one set per service: every listener of the service serves
// the same certificate, the way one Kubernetes Secret holds it). Unset = plaintext, as before. With
// EY_TLS_CLIENT_CA_FILE the listeners ask for a client certificate and verify it against that CA;
// EY_TLS_REQUIRE_CLIENT_CERT=true refuses a handshake without one (mTLS). The files are followed for
// rotation (TlsFileWatcher): new connections get the new certificate, open ones keep theirs.
import type { SecureContextOptions, Server as TlsServer } from 'node:tls';
import { CoreErrors } from '../error-codes.ts';
import { ConfigError } from '../errors.ts';
import { field, parseEnv } from '../config.ts';
import type { Logger } from '../logger.ts';
import { TlsFileWatcher, type TlsMaterial } from './tls-files.ts';

export const tlsEnv = {
  /** PEM certificate (chain) the listeners serve; with EY_TLS_KEY_FILE turns TLS on. */
  EY_TLS_CERT_FILE: field.string().optional(),
  /** PEM private key of EY_TLS_CERT_FILE. */
  EY_TLS_KEY_FILE: field.string().optional(),
  /** PEM CA bundle client certificates are verified against; set = clients are asked for one. */
  EY_TLS_CLIENT_CA_FILE: field.string().optional(),
  /** true = a client without a certificate signed by EY_TLS_CLIENT_CA_FILE is refused (mTLS). */
  EY_TLS_REQUIRE_CLIENT_CERT: field.bool().default(false),
  /** How often the files are stat'ed for rotation besides the directory watch, ms. */
  EY_TLS_RELOAD_INTERVAL_MS: field.int(100, 3_600_000).default(10_000),
};

export interface ServerTlsConfig {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
  requireClientCert: boolean;
  reloadIntervalMs: number;
}

/** Parses EY_TLS_*; undefined when TLS is off. Throws ConfigError (EY_CONFIG_INVALID) for a partial set. */
export function loadServerTlsConfig(source: Record<string, string | undefined>): ServerTlsConfig | undefined {
  const env = parseEnv(tlsEnv, source);
  const problems: string[] = [];
  if ((env.EY_TLS_CERT_FILE === undefined) !== (env.EY_TLS_KEY_FILE === undefined))
    problems.push('config: EY_TLS_CERT_FILE and EY_TLS_KEY_FILE: set both or neither');
  if (env.EY_TLS_CERT_FILE === undefined && env.EY_TLS_CLIENT_CA_FILE !== undefined)
    problems.push('config: EY_TLS_CLIENT_CA_FILE: needs EY_TLS_CERT_FILE and EY_TLS_KEY_FILE (client certificates are asked for over TLS only)');
  if (env.EY_TLS_REQUIRE_CLIENT_CERT && env.EY_TLS_CLIENT_CA_FILE === undefined)
    problems.push('config: EY_TLS_REQUIRE_CLIENT_CERT: needs EY_TLS_CLIENT_CA_FILE (the CA client certificates are verified against)');
  if (problems.length > 0) throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, problems.join('\n'), { context: { variables: problems } });
  if (env.EY_TLS_CERT_FILE === undefined || env.EY_TLS_KEY_FILE === undefined) return undefined;
  return {
    certFile: env.EY_TLS_CERT_FILE,
    keyFile: env.EY_TLS_KEY_FILE,
    ...(env.EY_TLS_CLIENT_CA_FILE === undefined ? {} : { clientCaFile: env.EY_TLS_CLIENT_CA_FILE }),
    requireClientCert: env.EY_TLS_REQUIRE_CLIENT_CERT,
    reloadIntervalMs: env.EY_TLS_RELOAD_INTERVAL_MS,
  };
}

/** Options of a TLS server (node https/http2/tls createServer): the context plus the client-certificate policy. */
export interface TlsServerOptions extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * The certificate of a service's listeners, followed on disk. Servers created with serverOptions() and
 * attach()ed get every valid new version through setSecureContext; others may subscribe (onChange).
 */
export class ServerTls {
  readonly config: ServerTlsConfig;
  readonly #watcher: TlsFileWatcher;
  readonly #listeners = new Set<(material: TlsMaterial) => void>();

  /** Reads the files now: throws EY_TLS_FILES_INVALID when they cannot be served. */
  constructor(config: ServerTlsConfig, logger: Logger) {
    this.config = config;
    const log = logger.child({ component: 'tls' });
    this.#watcher = new TlsFileWatcher(
      { certFile: config.certFile, keyFile: config.keyFile, caFile: config.clientCaFile },
      {
        intervalMs: config.reloadIntervalMs,
        onChange: (material) => {
          log.info({ certFile: config.certFile }, 'TLS certificate files changed: new connections use them');
          for (const listener of this.#listeners) listener(material);
        },
        onError: (err) => log.error({ err }, 'TLS certificate files changed but cannot be used: still serving the previous ones'),
      },
    );
  }

  get material(): TlsMaterial {
    return this.#watcher.current;
  }

  serverOptions(): TlsServerOptions {
    return { ...this.material, requestCert: this.config.clientCaFile !== undefined, rejectUnauthorized: this.config.requireClientCert };
  }

  /** Calls `listener` with every new valid version of the files; returns the unsubscribe. */
  onChange(listener: (material: TlsMaterial) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keeps `server`'s certificate current; detached when the server closes. */
  attach(server: TlsServer): void {
    const off = this.onChange((material) => server.setSecureContext(material));
    server.once('close', off);
  }

  /** Reads the files again if they changed (what the watch and the interval call); true when taken. */
  check(): boolean {
    return this.#watcher.check();
  }

  close(): void {
    this.#listeners.clear();
    this.#watcher.close();
  }
}
