// gRPC server credentials that follow the certificate files (core's ServerTls): grpc-js 1.14's
// experimental certificate-provider credentials call setSecureContext on its HTTP/2 server whenever the
// provider publishes new material, so a rotated certificate reaches new connections without a restart.
// The provider is ours rather than grpc-js's FileWatcherCertificateProvider: that one re-reads the files
// on a timer and, when it reads a half-rotated pair, drops every new connection until its next read; ServerTls
// watches the directory (Secret volume symlink swaps), and only publishes pairs that make a TLS context.
import * as grpc from '@grpc/grpc-js';
import type { ServerTls, TlsMaterial } from '@eventyard/core';

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** One provider for both roles: the identity (cert + key) and, with EY_TLS_CLIENT_CA_FILE, the client CA. */
class ServerTlsProvider implements CertificateProvider {
  readonly #tls: ServerTls;
  readonly #ca = new Set<CaListener>();
  readonly #identity = new Set<IdentityListener>();
  #unsubscribe: (() => void) | undefined;

  constructor(tls: ServerTls) {
    this.#tls = tls;
  }

  addCaCertificateListener(listener: CaListener): void {
    this.#ca.add(listener);
    this.#follow();
    // Told after the current call returns: grpc-js registers its own watcher only after adding this
    // listener, and an update it is not yet watching for would leave the listener without credentials.
    queueMicrotask(() => this.#ca.has(listener) && listener(caUpdate(this.#tls.material)));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.#ca.delete(listener);
    this.#unfollowIfIdle();
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.add(listener);
    this.#follow();
    queueMicrotask(() => this.#identity.has(listener) && listener(identityUpdate(this.#tls.material)));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.#identity.delete(listener);
    this.#unfollowIfIdle();
  }

  #follow(): void {
    this.#unsubscribe ??= this.#tls.onChange((material) => {
      for (const listener of this.#ca) listener(caUpdate(material));
      for (const listener of this.#identity) listener(identityUpdate(material));
    });
  }

  #unfollowIfIdle(): void {
    if (this.#ca.size > 0 || this.#identity.size > 0) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }
}

function caUpdate(material: TlsMaterial): grpc.experimental.CaCertificateUpdate | null {
  return material.ca === undefined ? null : { caCertificate: material.ca };
}

function identityUpdate(material: TlsMaterial): grpc.experimental.IdentityCertificateUpdate | null {
  return material.cert === undefined || material.key === undefined ? null : { certificate: material.cert, privateKey: material.key };
}

/** TLS server credentials from `tls`, following its rotations; plaintext when undefined. */
export function grpcServerCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const provider = new ServerTlsProvider(tls);
  // grpc-js 1.14.7 declares (caProvider, identityProvider | null, ...) but hands its arguments to a
  // constructor taking (identity, ca | null, ...): the first argument is the identity, the second the
  // CA (null = no client certificate asked for). Passing the same provider for both when there is a
  // client CA keeps this right whichever order a later grpc-js settles on.
  const ca = tls.config.clientCaFile === undefined ? null : provider;
  return grpc.experimental.createCertificateProviderServerCredentials(provider, ca, tls.config.requireClientCert);
}
