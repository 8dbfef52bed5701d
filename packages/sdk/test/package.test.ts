// The SDK as users get it: `npm pack` of packages/sdk (prepack builds dist/), installed with npm into
// a fresh project outside the repository, then run on plain Node (no type stripping) and type-checked
// from there. And the production dependency tree, in the workspace and as installed, must not drag in
// the services' runtime (kafkajs, pino, prom-client, valibot, croner).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SDK_DIR = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const NODE_TYPES = path.dirname(path.dirname(createRequire(import.meta.url).resolve('@types/node/package.json')));
/** The services' runtime; an SDK user needs none of it. */
const FORBIDDEN = ['kafkajs', 'pino', 'prom-client', 'valibot', 'zod', 'croner'];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node would find `name` from `fromDir` (node_modules of it and its ancestors), real path. */
function packageDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every package reachable through `dependencies` (and installed optionalDependencies) from `rootDir`. */
function productionTree(rootDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const queue = [rootDir];
  const visited = new Set<string>();
  for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
    if (visited.has(dir)) continue;
    visited.add(dir);
    const manifest = readManifest(dir);
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const depDir = packageDir(dir, name);
      assert.ok(depDir !== undefined, `${manifest.name} depends on ${name}, which is not installed`);
      found.set(name, depDir);
      queue.push(depDir);
    }
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      const depDir = packageDir(dir, name);
      if (depDir === undefined) continue;
      found.set(name, depDir);
      queue.push(depDir);
    }
  }
  return found;
}

function assertNoServiceRuntime(tree: Map<string, string>, where: string): void {
  const present = FORBIDDEN.filter((name) => tree.has(name));
  assert.deepEqual(present, [], `${where}: the SDK's production dependencies pull in ${present.join(', ')}`);
  // The walk itself works: the SDK's real dependencies are in it.
  for (const name of ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs']) assert.ok(tree.has(name), `${where}: ${name} missing from the tree`);
}

/** npm with the caller's settings left out (`pnpm test` exports npm_config_* that npm would obey). */
async function npm(args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  try {
    const { stdout } = await run('npm', args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: err });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

test('the SDK’s production dependency tree in the workspace holds none of the services’ runtime', () => {
  assertNoServiceRuntime(productionTree(SDK_DIR), 'workspace');
  // The bundled contract stands alone: not even its tests or tools may reach into packages/.
  const proto = JSON.parse(readFileSync(path.resolve(SDK_DIR, '../../proto/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const ours = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
    Object.keys(proto[field] ?? {}).filter((name) => name.startsWith('@eventyard/')),
  );
  assert.deepEqual(ours, [], '@eventyard/proto depends on workspace packages');
});

test('npm pack gives a tarball that installs from its file alone and works on plain Node', { timeout: 120_000 }, async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), 'ey-sdk-package-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const manifestBefore = readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8');

  // --json lists the packed files; prepack builds dist/ and swaps in the published manifest.
  const packed = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], SDK_DIR)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.equal(readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8'), manifestBefore, 'postpack restores the workspace package.json');
  assert.equal(existsSync(path.join(SDK_DIR, '.package.workspace.json')), false);
  const [tarball] = packed;
  assert.ok(tarball !== undefined);
  const files = tarball.files.map((f) => f.path);
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), files.join('\n'));
  assert.ok(files.includes('dist/proto/processor/processor.proto'));
  const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  assert.deepEqual(sources, [], 'TypeScript sources in the tarball: Node will not strip them under node_modules');

  const app = path.join(work, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
  // From the tarball's path; its registry dependencies come from npm's cache when it has them.
  // Scripts off: protobufjs's postinstall is a version notice (the workspace ignores it too).
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', path.join(work, tarball.filename)], app);

  const installed = productionTree(app);
  assert.equal(installed.get('@eventyard/sdk'), realpathSync(path.join(app, 'node_modules/@eventyard/sdk')));
  assertNoServiceRuntime(installed, 'installed tarball');
  assert.equal(installed.has('@eventyard/proto'), false, 'the contract is bundled, not a dependency');
  const installedFiles = await listFiles(path.join(app, 'node_modules/@eventyard/sdk'));
  assert.ok(!installedFiles.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')));

  // Plain JavaScript on this repo's Node 24 with type stripping off: nothing TypeScript may be loaded.
  await copyFile(path.join(FIXTURES, 'installed-smoke.mjs'), path.join(app, 'smoke.mjs'));
  const smoke = await run(process.execPath, ['--no-experimental-strip-types', 'smoke.mjs'], { cwd: app, timeout: 30_000 }).catch((err: unknown) => {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`smoke.mjs failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: err });
  });
  assert.equal(smoke.stdout, 'dispatch server: ok\nreport client: ok\nwebhook verifier: ok\n');

  // The declarations: a TypeScript user's file type-checks against them (and the bundled contract's).
  await copyFile(path.join(FIXTURES, 'installed-types.ts'), path.join(app, 'check.ts'));
  const tsconfig = {
    compilerOptions: { module: 'nodenext', target: 'es2024', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [NODE_TYPES], types: ['node'] },
    files: ['check.ts'],
  };
  await writeFile(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
  await run(process.execPath, [TSC, '-p', app], { cwd: app, timeout: 60_000 }).catch((err: unknown) => {
    throw new Error(`tsc on the installed declarations failed:\n${(err as { stdout?: string }).stdout ?? ''}`, { cause: err });
  });
});
