// The baseline tree of `--baseline <ref>`: a detached git worktree of that commit under the system temp
// dir, with its own dependencies installed, kept between runs (keyed by the resolved commit, so a branch
// that moved gets a new tree and an old one is reused as is).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Written into the tree's node_modules once its install finished: an interrupted install is redone. */
export const INSTALLED_STAMP = '.eventyard-bench-installed';

export interface BaselineTree {
  /** The commit `ref` resolved to (40 hex digits). */
  commit: string;
  /** Root of the worktree. */
  root: string;
  /** True when an earlier run's worktree was used as it was. */
  reused: boolean;
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  try {
    return (await run('git', ['-C', cwd, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args.join(' ')}: ${stderr !== undefined && stderr !== '' ? stderr : String(err)}`, { cause: err });
  }
}

/** The commit `ref` names in the repository at `repo`; a clear error when it names none. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  try {
    return await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${JSON.stringify(ref)}: not a commit in ${repo} (git rev-parse found nothing)`);
  }
}

/** Where the worktree of `commit` lives: one directory per commit, so runs against the same commit share it. */
export function worktreePath(commit: string, base: string = tmpdir()): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`worktreePath wants a full commit id, got ${JSON.stringify(commit)}`);
  return join(base, `eventyard-bench-baseline-${commit}`);
}

/** The worktrees git knows for `repo`, as absolute paths with the commit each has checked out. */
async function listWorktrees(repo: string): Promise<Map<string, string>> {
  const out = await git(repo, ['worktree', 'list', '--porcelain']);
  const trees = new Map<string, string>();
  let path: string | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('worktree ')) path = resolve(line.slice('worktree '.length));
    else if (line.startsWith('HEAD ') && path !== undefined) trees.set(path, line.slice('HEAD '.length));
  }
  return trees;
}

/** `npx -y pnpm@10 install --frozen-lockfile` in `root`, its output passed through (it can take a while). */
async function pnpmInstall(root: string): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn('npx', ['-y', 'pnpm@10', 'install', '--frozen-lockfile'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`pnpm install --frozen-lockfile in ${root} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

export interface PrepareOptions {
  /** Where worktrees go. @default the system temp dir */
  base?: string;
  /** Installs the tree's dependencies. @default npx -y pnpm@10 install --frozen-lockfile */
  install?: (root: string) => Promise<void>;
  log?: (line: string) => void;
}

/**
 * The worktree of `ref` with its dependencies installed: reused when an earlier run left a complete one
 * for the same commit, otherwise (re)created with `git worktree add --detach` and installed.
 */
export async function prepareBaselineTree(repo: string, ref: string, options: PrepareOptions = {}): Promise<BaselineTree> {
  const log = options.log ?? (() => undefined);
  const commit = await resolveCommit(repo, ref);
  const root = worktreePath(commit, options.base);
  // A temp dir wiped since (reboot, tmp cleaner) leaves git a registration without a directory.
  await git(repo, ['worktree', 'prune']);
  const known = await listWorktrees(repo);
  if (known.get(root) === commit && existsSync(join(root, 'node_modules', INSTALLED_STAMP))) {
    log(`baseline ${ref} = ${commit.slice(0, 12)}: reusing ${root}`);
    return { commit, root, reused: true };
  }
  if (known.has(root)) {
    if (known.get(root) !== commit) {
      // Someone moved HEAD in it: the key no longer matches its content, start over.
      await git(repo, ['worktree', 'remove', '--force', root]);
    }
  } else if (existsSync(root)) {
    // A directory git does not know (a half-made worktree): not ours to trust.
    await rm(root, { recursive: true, force: true });
  }
  if (!(await listWorktrees(repo)).has(root)) {
    log(`baseline ${ref} = ${commit.slice(0, 12)}: git worktree add --detach ${root}`);
    await git(repo, ['worktree', 'add', '--detach', root, commit]);
  }
  log(`baseline ${commit.slice(0, 12)}: npx -y pnpm@10 install --frozen-lockfile`);
  await (options.install ?? pnpmInstall)(root);
  await mkdir(join(root, 'node_modules'), { recursive: true });
  await writeFile(join(root, 'node_modules', INSTALLED_STAMP), `${new Date().toISOString()}\n`);
  return { commit, root, reused: false };
}
