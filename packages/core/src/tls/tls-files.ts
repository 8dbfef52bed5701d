// Certificate and key files read from disk, checked as a pair, and read again when they change (as
// cert-manager rotates a mounted Secret). Kubernetes updates a Secret volume by swapping the `..data`
// symlink of the directory, which no watch on the file itself sees: the directories are watched
// (fs.watch) and the files stat'ed on an interval as well, since fs.watch misses events on some
// filesystems (network mounts, some container overlays). A change is only taken once the new files read
// and make a valid TLS context: a half-written pair keeps the previous material instead of breaking
// every new connection.
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { CoreErrors } from '../error-codes.ts';
import { ConfigError } from '../errors.ts';

export const TlsErrorCode = {
  /** A certificate, key or CA file cannot be read, or the files do not make a TLS context (key not matching the certificate, not PEM). */
  invalidFiles: CoreErrors.EY_TLS_FILES_INVALID.code,
} as const;

export interface TlsFilePaths {
  /** PEM certificate (chain) presented to the peer; needs keyFile. */
  certFile?: string | undefined;
  /** PEM private key of certFile. */
  keyFile?: string | undefined;
  /** PEM CA bundle the peer's certificate is verified against. */
  caFile?: string | undefined;
}

export interface TlsMaterial {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

/** Reads the files and checks they make a TLS context; throws EY_TLS_FILES_INVALID naming the file or the problem. */
export function readTlsMaterial(paths: TlsFilePaths): TlsMaterial {
  if ((paths.certFile === undefined) !== (paths.keyFile === undefined)) {
    throw invalidFiles(paths, 'a certificate file and a key file go together: set both or neither');
  }
  const material: TlsMaterial = {};
  for (const [name, path] of [
    ['cert', paths.certFile],
    ['key', paths.keyFile],
    ['ca', paths.caFile],
  ] as const) {
    if (path === undefined) continue;
    try {
      material[name] = readFileSync(path);
    } catch (err) {
      throw invalidFiles(paths, `cannot read ${path}: ${(err as Error).message}`, err);
    }
  }
  try {
    createSecureContext(material);
  } catch (err) {
    throw invalidFiles(paths, `the files do not make a TLS context: ${(err as Error).message}`, err);
  }
  return material;
}

/** What stat says of each file (through symlinks): changes when a file is rewritten or a symlink re-pointed. */
export function tlsFilesSignature(paths: TlsFilePaths): string {
  return [paths.certFile, paths.keyFile, paths.caFile]
    .map((path) => {
      if (path === undefined) return '-';
      try {
        const stat = statSync(path);
        return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

function invalidFiles(paths: TlsFilePaths, problem: string, cause?: unknown): ConfigError {
  return new ConfigError(CoreErrors.EY_TLS_FILES_INVALID, `TLS files: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { certFile: paths.certFile, keyFile: paths.keyFile, caFile: paths.caFile },
  });
}

export interface TlsFileWatcherOptions {
  /** How often the files are stat'ed besides the directory watch, ms. */
  intervalMs: number;
  /** New material, already checked. */
  onChange: (material: TlsMaterial) => void;
  /** Changed files that do not make a TLS context; the previous material stays in use. */
  onError: (err: unknown) => void;
}

/** Reads the files now (throwing EY_TLS_FILES_INVALID) and follows their changes until close(). */
export class TlsFileWatcher {
  readonly #paths: TlsFilePaths;
  readonly #options: TlsFileWatcherOptions;
  readonly #watchers: FSWatcher[] = [];
  readonly #timer: NodeJS.Timeout;
  #current: TlsMaterial;
  /** Signature of the files last read, good or bad: a bad version is reported once, not at every poll. */
  #seen: string;
  #debounce: NodeJS.Timeout | undefined;

  constructor(paths: TlsFilePaths, options: TlsFileWatcherOptions) {
    this.#paths = paths;
    this.#options = options;
    this.#seen = tlsFilesSignature(paths);
    this.#current = readTlsMaterial(paths);
    const dirs = new Set([paths.certFile, paths.keyFile, paths.caFile].filter((p) => p !== undefined).map((p) => dirname(p)));
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#soon());
        watcher.on('error', () => undefined); // the interval keeps checking
        this.#watchers.push(watcher);
      } catch {
        // Not watchable here: the interval alone notices changes.
      }
    }
    this.#timer = setInterval(() => this.check(), options.intervalMs);
    this.#timer.unref();
  }

  get current(): TlsMaterial {
    return this.#current;
  }

  /** Reads the files again if stat says they changed; true when new material was taken. */
  check(): boolean {
    const signature = tlsFilesSignature(this.#paths);
    if (signature === this.#seen) return false;
    this.#seen = signature;
    let material: TlsMaterial;
    try {
      material = readTlsMaterial(this.#paths);
    } catch (err) {
      this.#options.onError(err);
      return false;
    }
    this.#current = material;
    this.#options.onChange(material);
    return true;
  }

  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#debounce);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.length = 0;
  }

  /** A symlink swap or a rewrite fires several events: read once they settle. */
  #soon(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.check(), 50);
    this.#debounce.unref();
  }
}
