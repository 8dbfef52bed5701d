// Swaps package.json between its workspace form and its published form around `npm pack` (or `pnpm pack`).
// In the workspace, `exports` points at src/*.ts (Node 24 strips types outside node_modules, so every
// package and test runs the sources) and '#proto' at the @eventyard/proto workspace package. Inside
// node_modules Node refuses to strip types, so the tarball must point at dist/*.js. npm applies no
// `publishConfig` field but registry settings, hence this script: `apply` (prepack, after the build)
// writes the published manifest, `restore` (postpack) puts the workspace one back. See docs/adr/0002.
// Usage: node scripts/pack-manifest.ts apply|restore
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Manifest = Record<string, unknown> & { dependencies?: Record<string, string>; publishConfig?: Record<string, unknown> };

const SDK_DIR = path.resolve(import.meta.dirname, '..');
const MANIFEST = path.join(SDK_DIR, 'package.json');
/** The workspace manifest while the published one is in place (git-ignored, never packed). */
const BACKUP = path.join(SDK_DIR, '.package.workspace.json');
/** Workspace packages compiled into dist/ by scripts/build.ts: dropped from the published dependencies. */
const BUNDLED: Readonly<Record<string, string>> = { '@eventyard/proto': path.resolve(SDK_DIR, '../../proto/package.json') };
/** publishConfig keys that are npm/pnpm settings, not manifest fields. */
const SETTINGS = new Set(['registry', 'access', 'tag', 'provenance', 'directory', 'linkDirectory']);

function read(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** Atomic, so a process resolving the package meanwhile never reads half a file. */
function write(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function restore(): void {
  if (!existsSync(BACKUP)) return;
  write(MANIFEST, readFileSync(BACKUP, 'utf8'));
  rmSync(BACKUP);
}

function apply(): void {
  // A pack that died between prepack and postpack left the published manifest in place: start over.
  restore();
  if (!existsSync(path.join(SDK_DIR, 'dist', 'index.js'))) throw new Error('dist/ is not built: run `node scripts/build.ts` first');
  const text = readFileSync(MANIFEST, 'utf8');
  const published = publishedManifest(JSON.parse(text) as Manifest);
  write(BACKUP, text);
  write(MANIFEST, `${JSON.stringify(published, null, 2)}\n`);
}

function publishedManifest(workspace: Manifest): Manifest {
  const { publishConfig = {}, scripts: _scripts, devDependencies: _dev, ...rest } = workspace;
  const out: Manifest = { ...rest };
  for (const [key, value] of Object.entries(publishConfig)) if (!SETTINGS.has(key)) out[key] = value;
  const settings = Object.fromEntries(Object.entries(publishConfig).filter(([key]) => SETTINGS.has(key)));
  if (Object.keys(settings).length > 0) out.publishConfig = settings;
  const dependencies: Record<string, string> = { ...workspace.dependencies };
  for (const [name, manifestFile] of Object.entries(BUNDLED)) {
    delete dependencies[name];
    // The bundled code imports its own dependencies: they must be ours too, at the same versions.
    for (const [dep, spec] of Object.entries(read(manifestFile).dependencies ?? {})) {
      if (dependencies[dep] !== spec) throw new Error(`${name} (bundled) depends on ${dep}@${spec}; list exactly that in @eventyard/sdk's dependencies`);
    }
  }
  for (const [name, spec] of Object.entries(dependencies)) {
    if (spec.startsWith('workspace:'))
      throw new Error(`dependency ${name}@${spec} exists only in this repository; bundle it (scripts/build.ts) or depend on a published version`);
  }
  out.dependencies = dependencies;
  return out;
}

const command = process.argv[2];
if (command === 'apply') apply();
else if (command === 'restore') restore();
else throw new Error(`usage: node scripts/pack-manifest.ts apply|restore (got ${String(command)})`);
