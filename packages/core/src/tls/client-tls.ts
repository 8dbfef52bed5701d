// TLS of outbound connections to configured targets (processors): a CA to verify the server against, a
// client certificate for mTLS, and the name to verify, all read from files mounted from Kubernetes
// Secrets (the config only names the files: key material never sits in Postgres). Files are read on
// first use and read again when stat says they changed, checked at most every `checkIntervalMs`; each
// new version gets a new `key`, on which senders key their channels and connection pools, so new
// connections use rotated files while open ones finish on the old.
import { isIP } from 'node:net';
import { readTlsMaterial, tlsFilesSignature, type TlsFilePaths, type TlsMaterial } from './tls-files.ts';

export interface ClientTlsFiles extends TlsFilePaths {
  /** Name the server certificate must carry; default the target's host name. */
  serverName?: string | undefined;
}

export interface ClientTls {
  material: TlsMaterial;
  serverName?: string;
  /** Changes with the files named and with every new version of their content. */
  key: string;
}

interface Entry {
  tls: ClientTls;
  signature: string;
  checkedAt: number;
  generation: number;
}

export class ClientTlsStore {
  readonly #entries = new Map<string, Entry>();
  readonly #checkIntervalMs: number;
  readonly #now: () => number;

  constructor(options: { checkIntervalMs?: number; now?: () => number } = {}) {
    this.#checkIntervalMs = options.checkIntervalMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The material of `files`, current within checkIntervalMs. Throws EY_TLS_FILES_INVALID (unreadable, or not a valid pair). */
  get(files: ClientTlsFiles): ClientTls {
    const id = JSON.stringify([files.caFile ?? null, files.certFile ?? null, files.keyFile ?? null, files.serverName ?? null]);
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry !== undefined && now - entry.checkedAt < this.#checkIntervalMs) return entry.tls;
    const signature = tlsFilesSignature(files);
    if (entry !== undefined && signature === entry.signature) {
      entry.checkedAt = now;
      return entry.tls;
    }
    // A failed read is thrown to this attempt and tried again by the next: nothing cached.
    const material = readTlsMaterial(files);
    const generation = (entry?.generation ?? 0) + 1;
    const tls: ClientTls = { material, ...(files.serverName === undefined ? {} : { serverName: files.serverName }), key: `${id}#${generation}` };
    this.#entries.set(id, { tls, signature, checkedAt: now, generation });
    return tls;
  }
}

/**
 * The name a TLS connection must verify the server certificate against when it dials a checked IP
 * instead of the host it was asked for (the egress guard's gRPC dials): tls.server_name, else that host.
 * undefined for an IP literal (the dialled address is the name; SNI cannot carry an IP).
 */
export function tlsVerifyName(host: string, tls: ClientTls): string | undefined {
  const name = tls.serverName ?? host;
  return isIP(name) === 0 ? name : undefined;
}
