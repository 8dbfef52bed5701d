// The web console's files, served at /ui: the browser modules under services/admin/ui and the two small
// libraries they run on (Preact and htm, from node_modules: no build step, no CDN). The files are public
// (they hold no data; every datum comes from the authenticated API, see ui/api.js), read once at start,
// and served from memory with an ETag, gzip when the browser takes it, and a strict Content-Security-Policy.
// Hand-written rather than @fastify/static: a fixed map of a few files (no path ever reaches the file
// system, so no traversal to guard against), with the import map generated and hashed into the CSP.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ConsoleAsset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface ConsoleAssets {
  /** Path below /ui/ ('' is the page itself) → file. */
  files: ReadonlyMap<string, ConsoleAsset>;
  /** The Content-Security-Policy every console response carries. */
  csp: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Vendor files live under a versioned path, so a browser may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The console's own files change with every release and carry no version: revalidate (304 when unchanged). */
const REVALIDATE = 'no-cache';

const VENDOR = [
  { specifier: 'preact', package: 'preact', file: 'preact.mjs' },
  { specifier: 'preact/hooks', package: 'preact', file: 'hooks.mjs' },
  { specifier: 'htm', package: 'htm', file: 'htm.mjs' },
] as const;

/** The directory of the console's browser modules. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/** Reads every console file into memory; throws when one is missing (a packaging fault, found at start). */
export function loadConsoleAssets(dir: string = CONSOLE_DIR): ConsoleAssets {
  const files = new Map<string, ConsoleAsset>();
  const importMap: Record<string, string> = {};
  for (const vendor of VENDOR) {
    const path = fileURLToPath(import.meta.resolve(vendor.specifier));
    const version = packageVersion(path, vendor.package);
    const url = `vendor/${vendor.package}@${version}/${vendor.file}`;
    files.set(url, asset(readFileSync(path), '.mjs', IMMUTABLE));
    importMap[vendor.specifier] = `/ui/${url}`;
  }
  let page: string | undefined;
  for (const path of walk(dir)) {
    const name = relative(dir, path).split(sep).join('/');
    const ext = extname(name);
    if (TYPES[ext] === undefined) continue;
    if (name === 'index.html') page = readFileSync(path, 'utf8');
    else files.set(name, asset(readFileSync(path), ext, REVALIDATE));
  }
  if (page === undefined) throw new Error(`console: ${join(dir, 'index.html')} is missing`);
  // The import map lets the modules say `import { h } from 'preact'`; an inline script, so the CSP names
  // its hash instead of allowing inline scripts at all.
  const mapScript = JSON.stringify({ imports: importMap });
  if (!page.includes('<!--importmap-->')) throw new Error('console: index.html has no <!--importmap--> placeholder');
  // Every module preloaded at once, instead of the browser discovering them import by import.
  const modules = [...Object.values(importMap), ...[...files.keys()].filter((name) => name.endsWith('.js')).map((name) => `/ui/${name}`)];
  const preloads = modules.map((url) => `<link rel="modulepreload" href="${url}">`).join('\n  ');
  const html = page.replace('<!--importmap-->', `<script type="importmap">${mapScript}</script>\n  ${preloads}`);
  const hash = createHash('sha256').update(mapScript, 'utf8').digest('base64');
  files.set('', asset(Buffer.from(html, 'utf8'), '.html', REVALIDATE));
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { files, csp };
}

function asset(body: Buffer, ext: string, cacheControl: string): ConsoleAsset {
  const compressed = ext === '.png' ? undefined : gzipSync(body, { level: 9 });
  return {
    body,
    gzip: compressed !== undefined && compressed.length < body.length ? compressed : undefined,
    type: TYPES[ext] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    cacheControl,
  };
}

/** The version in the package.json above a resolved file of that package. */
function packageVersion(file: string, name: string): string {
  const root = file.slice(0, file.lastIndexOf(`${sep}node_modules${sep}${name}${sep}`) + `${sep}node_modules${sep}${name}`.length);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`console: ${name} has no version in ${root}`);
  return manifest.version;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
