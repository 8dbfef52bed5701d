// The e2e bench's `--baseline` plumbing, without running a bench: its options, the worktree keyed by
// commit (created, reused, recreated), what it detects about an older tree's settings, and the
// comparison's arithmetic and the floor row's. No timings are asserted.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { parseBenchOptions, roundOrder } from '../../bench/e2e/options.ts';
import { prepareBaselineTree, resolveCommit, worktreePath } from '../../bench/e2e/baseline-tree.ts';
import { BENCH_ADMIN_TOKEN, inspectTree } from '../../bench/e2e/tree-stack.ts';
import { formatComparison, median, spreadPercent } from '../../bench/e2e/report.ts';
import { floorRow, type Row } from '../../bench/e2e/phases.ts';

const run = promisify(execFile);

test('options: defaults, --baseline with --rounds, and a clear error per bad option', () => {
  const defaults = parseBenchOptions([]);
  assert.deepEqual(
    { ...defaults },
    {
      rate: 1000,
      seconds: 10,
      burst: 5000,
      concurrency: 0,
      brokerFlush: 'interval',
      env: {},
      currentEnv: {},
      baseline: undefined,
      rounds: 2,
      cpuProfDir: undefined,
      rateOnly: false,
      warmSeconds: 0,
    },
  );
  const profiled = parseBenchOptions(['--cpu-prof', '/tmp/prof', '--rate-only']);
  assert.equal(profiled.cpuProfDir, '/tmp/prof');
  assert.equal(profiled.rateOnly, true);
  assert.throws(() => parseBenchOptions(['--cpu-prof', '']), /--cpu-prof wants a directory/);
  const compared = parseBenchOptions(['--baseline', 'main~3', '--rounds', '3', '--seconds', '3', '--env', 'EY_A=1=2', '--env', 'EY_B=']);
  assert.equal(compared.baseline, 'main~3');
  assert.equal(compared.rounds, 3);
  assert.equal(compared.seconds, 3);
  assert.deepEqual(compared.env, { EY_A: '1=2', EY_B: '' });
  const setting = parseBenchOptions(['--baseline', 'HEAD', '--current-env', 'EY_KAFKA_LINGER_MS=2']);
  assert.deepEqual(setting.currentEnv, { EY_KAFKA_LINGER_MS: '2' });
  assert.deepEqual(setting.env, {});
  assert.throws(() => parseBenchOptions(['--current-env', 'EY_A=1']), /--current-env only applies with --baseline/);
  assert.throws(() => parseBenchOptions(['--baseline', 'x', '--current-env', 'EY_A']), /--current-env wants KEY=VALUE/);
  assert.throws(() => parseBenchOptions(['--rounds', '2']), /--rounds only applies with --baseline/);
  assert.throws(() => parseBenchOptions(['--baseline', 'x', '--rounds', '0']), /--rounds wants an integer ≥ 1, got "0"/);
  assert.throws(() => parseBenchOptions(['--seconds', '1.5']), /--seconds wants an integer/);
  assert.equal(parseBenchOptions(['--warm-seconds', '5']).warmSeconds, 5);
  assert.throws(() => parseBenchOptions(['--warm-seconds', 'two']), /--warm-seconds wants an integer ≥ 0, got "two"/);
  assert.throws(() => parseBenchOptions(['--baseline', '']), /--baseline wants a git ref/);
  assert.throws(() => parseBenchOptions(['--env', 'NOEQUALS']), /--env wants KEY=VALUE/);
  assert.throws(() => parseBenchOptions(['--broker-flush', 'never']), /--broker-flush wants always or interval/);
  assert.throws(() => parseBenchOptions(['--baselin', 'x']), /Unknown option '--baselin'[\s\S]*usage:/);
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', ['-C', cwd, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args])).stdout.trim();
}

/** A git repository shaped like an old Eventyard tree: a services table, one config file, a node shim. */
async function makeRepo(t: { after(fn: () => unknown): void }): Promise<{ repo: string; base: string; first: string; second: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ey-bench-baseline-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const repo = join(dir, 'repo');
  const base = join(dir, 'trees');
  await mkdir(join(repo, 'packages', 'cli', 'src'), { recursive: true });
  await mkdir(join(repo, 'services', 'admin', 'src'), { recursive: true });
  await mkdir(base);
  await writeFile(
    join(repo, 'packages', 'cli', 'src', 'stack.ts'),
    "export const SERVICES = [{ name: 'admin', entry: 'services/admin/src/main.ts', description: 'x', ports: [{ name: 'http', env: 'EY_ADMIN_PORT', port: 8081, protocol: 'http' }], healthPort: 9104 }];\n",
  );
  // Older trees: no egress allow-list, only the switch; an admin with no token setting at all.
  await writeFile(
    join(repo, 'services', 'admin', 'src', 'config.ts'),
    "export const env = ['EY_ALLOW_PRIVATE_TARGETS', 'EY_TOPIC_PARTITIONS', 'EY_ADMIN_TOKEN_FILE'];\n",
  );
  await run('git', ['init', '-q', repo]);
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-q', '-m', 'first');
  const first = await git(repo, 'rev-parse', 'HEAD');
  await git(repo, 'commit', '-q', '--allow-empty', '-m', 'second');
  const second = await git(repo, 'rev-parse', 'HEAD');
  return { repo, base, first, second };
}

/** Stands in for pnpm install: the only thing the bench needs from it is node_modules/.bin/node. */
async function linkNode(root: string): Promise<void> {
  await mkdir(join(root, 'node_modules', '.bin'), { recursive: true });
  await symlink(process.execPath, join(root, 'node_modules', '.bin', 'node'));
}

test('baseline worktree: keyed by the resolved commit, reused when complete, recreated when its directory is gone', async (t) => {
  const { repo, base, first, second } = await makeRepo(t);
  assert.equal(await resolveCommit(repo, 'HEAD~1'), first);
  await assert.rejects(resolveCommit(repo, 'no-such-branch'), /--baseline "no-such-branch": not a commit/);
  assert.throws(() => worktreePath('abc123'), /full commit id/);

  let installs = 0;
  const install = async (root: string) => {
    installs++;
    await linkNode(root);
  };
  const made = await prepareBaselineTree(repo, 'HEAD~1', { base, install });
  assert.deepEqual(made, { commit: first, root: worktreePath(first, base), reused: false });
  assert.equal(await git(made.root, 'rev-parse', 'HEAD'), first);

  // The same commit by another name: the same tree, not installed again.
  const again = await prepareBaselineTree(repo, first.slice(0, 10), { base, install });
  assert.deepEqual(again, { ...made, reused: true });
  assert.equal(installs, 1);

  // Another commit gets a tree of its own beside it.
  const other = await prepareBaselineTree(repo, 'HEAD', { base, install });
  assert.equal(other.root, worktreePath(second, base));
  assert.notEqual(other.root, made.root);

  // A tmp cleaner removed the directory: git's stale registration is pruned and the tree made again.
  await rm(made.root, { recursive: true, force: true });
  const remade = await prepareBaselineTree(repo, first, { base, install });
  assert.equal(remade.reused, false);
  assert.ok(existsSync(join(remade.root, 'packages', 'cli', 'src', 'stack.ts')));
  assert.equal(installs, 3);
});

test('an older tree gets only the settings its sources name, with the fallback for private targets', async (t) => {
  const { repo } = await makeRepo(t);
  await linkNode(repo);
  const tree = await inspectTree('baseline', repo, { EY_ROUTER_SOMETHING_NEW: '5' });
  assert.equal(tree.node, process.execPath);
  assert.deepEqual(tree.services, [{ name: 'admin', entry: 'services/admin/src/main.ts', ports: [{ name: 'http', env: 'EY_ADMIN_PORT' }] }]);
  // EY_ADMIN_TOKEN_FILE is not EY_ADMIN_TOKEN: names match whole.
  assert.deepEqual(tree.env, { EY_TOPIC_PARTITIONS: '3', EY_ALLOW_PRIVATE_TARGETS: 'true', EY_ROUTER_SOMETHING_NEW: '5' });
  assert.equal(tree.adminToken, undefined);
  assert.deepEqual(tree.notes, [
    'baseline: its sources do not name EY_EGRESS_ALLOW, not set',
    'baseline: its sources do not name EY_ADMIN_TOKEN, not set',
    'baseline: its sources do not name EY_REQUIRE_API_KEY, not set',
    'baseline: its sources do not name EY_KAFKA_REPLICATION_FACTOR, not set',
    'baseline: its sources do not name EY_KAFKA_MIN_INSYNC_REPLICAS, not set',
    'baseline: EY_ALLOW_PRIVATE_TARGETS=true instead',
    'baseline: --env EY_ROUTER_SOMETHING_NEW is set but its sources do not name it (no effect?)',
  ]);

  // This tree names all of them: the admin token is set and sent.
  const current = await inspectTree('current', join(import.meta.dirname, '..', '..'), {});
  assert.equal(current.adminToken, BENCH_ADMIN_TOKEN);
  assert.equal(current.env.EY_EGRESS_ALLOW, '127.0.0.0/8,::1');
  assert.equal(current.env.EY_ALLOW_PRIVATE_TARGETS, undefined);
  assert.equal(current.env.EY_REQUIRE_API_KEY, 'false');
});

test('comparison: medians, spread between rounds, ratio of medians and per-round ratios', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([1, 2, 3, 4]), 2.5);
  assert.equal(spreadPercent([90, 110]), 20);
  const row = (perSecond: number, cpuMs?: number): Row[] => [{ what: 'e2e', perSecond, p50: 10, ...(cpuMs === undefined ? {} : { cpuMs }) }];
  const out = formatComparison({ label: 'baseline', rounds: [row(100), row(100)] }, { label: 'current', rounds: [row(90, 2), row(110, 2)] });
  const lines = out.split('\n');
  const perSecond = lines.find((line) => line.startsWith('e2e'));
  assert.match(perSecond ?? '', /per s\s+100\s+0%\s+100\s+20%\s+1\.00\s+0\.90–1\.10$/);
  assert.match(lines.find((line) => line.includes('p50 ms')) ?? '', /10\.0\s+0%\s+10\.0\s+0%\s+1\.00\s+1\.00–1\.00$/);
  // A metric one tree lacks: shown as –, no ratio.
  assert.match(lines.find((line) => line.includes('CPU ms')) ?? '', /–\s+–\s+2\.000\s+0%\s+–\s*$/);
});

test('rounds alternate which tree runs first: baseline current, then current baseline', () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((i) => roundOrder(i, 'baseline', 'current').join(' ')),
    ['baseline current', 'current baseline', 'baseline current', 'current baseline'],
  );
});

test('the floor row: one gRPC call and two Kafka hops from the paced ceilings, and own CPU as a multiple of it', () => {
  const echo: Row = { what: 'ceiling: bare gRPC unary echo at 1000/s', perSecond: 1000, cpuMs: 0.4 };
  const hop: Row = { what: 'ceiling: kafkajs produce→consume, same broker at 1000/s in batches', perSecond: 1000, cpuMs: 0.3 };
  const row = floorRow(echo, hop, 15, 1.5);
  // The same name whatever the batch, so two trees' floors compare.
  assert.equal(row.what, 'floor: one gRPC call + two Kafka hops');
  assert.ok(Math.abs((row.cpuMs ?? 0) - 1.0) < 1e-9);
  assert.equal(row.note, "1.000 ms CPU per event (the paced rows above, 15 records per send); Eventyard's own 1.500 ms = 1.50 × it");
  // Unbatched, and a tree whose run printed no own row.
  const plain = floorRow(echo, hop, 1, undefined);
  assert.equal(plain.note, '1.000 ms CPU per event (the paced rows above, 1 record per send)');
});
