// A processor's `tls`: how the dispatcher (and the delay-scheduler) dial it over TLS. Only file paths
// are stored: the CA, client certificate and key are files mounted from Kubernetes Secrets into the
// dispatcher and delay-scheduler pods (chart value `processorTls.secrets`), so no key material sits in
// Postgres, and cert-manager can rotate them in place. null = plaintext gRPC (and, for httpSend, the
// URL's scheme decides as before); `{}` = TLS verified against the system CAs.
import type { ConfigField } from './config-field.ts';
import { invalid, plainObject } from './field-checks.ts';

export interface ProcessorTls {
  /** PEM CA bundle the processor's certificate must chain to; absent = the system CAs. */
  ca_file?: string;
  /** PEM client certificate presented to the processor (mTLS); needs key_file. */
  cert_file?: string;
  /** PEM private key of cert_file. */
  key_file?: string;
  /** Name the processor's certificate must carry; absent = the host of `addr`. */
  server_name?: string;
}

const MAX_PATH = 1024;
/** A DNS name (or IP literal) as a certificate names it. */
const SERVER_NAME = /^[A-Za-z0-9*]([A-Za-z0-9.:_-]{0,251}[A-Za-z0-9])?$/;

function fileField(description: string): ConfigField {
  return { type: 'string', max: MAX_PATH, description };
}

/** Validates `tls`; returns null (plaintext) or the object with only the fields set. */
export function normalizeProcessorTls(value: unknown, field: string): ProcessorTls | null {
  if (value === undefined || value === null) return null;
  const input = plainObject(value, field);
  const out: ProcessorTls = {};
  for (const [name, inner] of Object.entries(input)) {
    const path = `${field}.${name}`;
    if (!(name in PROCESSOR_TLS_FIELDS)) throw invalid(path, 'is not a known field (ca_file, cert_file, key_file, server_name)');
    if (inner === undefined || inner === null || inner === '') continue;
    if (typeof inner !== 'string') throw invalid(path, 'must be a string');
    if (name === 'server_name') {
      if (!SERVER_NAME.test(inner)) throw invalid(path, 'must be a host name');
      out.server_name = inner;
      continue;
    }
    if (inner.length > MAX_PATH) throw invalid(path, `must be at most ${MAX_PATH} characters`);
    // A path in the pod's filesystem (a mounted Secret), never the PEM itself.
    if (!inner.startsWith('/') || inner.includes('\n'))
      throw invalid(path, 'must be an absolute file path (a file mounted from a Secret, e.g. /etc/eventyard/processor-tls/<secret>/ca.crt), not PEM content');
    out[name as 'ca_file' | 'cert_file' | 'key_file'] = inner;
  }
  if ((out.cert_file === undefined) !== (out.key_file === undefined)) throw invalid(field, 'cert_file and key_file go together: set both (mTLS) or neither');
  return out;
}

export const PROCESSOR_TLS_FIELDS: Readonly<Record<keyof ProcessorTls, ConfigField>> = {
  ca_file: fileField('PEM CA bundle the processor certificate must chain to (absolute path of a mounted file); absent = system CAs'),
  cert_file: fileField('PEM client certificate for mTLS (absolute path of a mounted file); needs key_file'),
  key_file: fileField('PEM private key of cert_file (absolute path of a mounted file)'),
  server_name: { type: 'string', max: 253, description: 'Name the processor certificate must carry; absent = the host of addr' },
};
