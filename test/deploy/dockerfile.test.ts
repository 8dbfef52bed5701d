// The image definition, without Docker (none on our machines): deploy/docker/Dockerfile is validated by
// dockerfile-utils (the linter behind VS Code's Dockerfile support, offline) and its essentials are checked
// on the parsed instructions: non-root numeric USER, tini entrypoint, HEALTHCHECK, production-only
// dependencies, the workspace layout ADR 0001 relies on, versions in step with package.json. The
// healthcheck script itself runs against a real health server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join, matchesGlob } from 'node:path';
import { promisify } from 'node:util';
import { validate } from 'dockerfile-utils';
import { createMetricsRegistry, startHealthServer } from '@eventyard/core';
import { NODE_FLAGS, SERVICES } from '@eventyard/cli/stack';
import { REPO_ROOT } from './chart-render.ts';

const execFileAsync = promisify(execFile);
const DOCKERFILE = join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');
const HEALTHCHECK = join(REPO_ROOT, 'deploy', 'docker', 'healthcheck.mjs');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function parseDockerfile(text: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const match = /^\s*(\S+)\s*(.*)$/.exec(line);
    if (match) instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: start + 1 });
  }
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [base = '', , name = `stage${stages.length}`] = instruction.args.split(/\s+/);
      stages.push({ name, base, instructions: [] });
    } else if (stages.length === 0) {
      globalArgs.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function stage(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  assert.ok(found, `no stage ${name}`);
  return found;
}

/** The value an instruction last set for a stage, following FROM <stage> inheritance. */
function effective(stages: Stage[], stageName: string, keyword: string): string | undefined {
  const current = stage(stages, stageName);
  const own = current.instructions.filter((i) => i.keyword === keyword).at(-1);
  if (own) return own.args;
  return stages.some((s) => s.name === current.base) ? effective(stages, current.base, keyword) : undefined;
}

test('the Dockerfile has no problems according to dockerfile-utils', async () => {
  const text = await readFile(DOCKERFILE, 'utf8');
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`);
  assert.deepEqual(problems, []);
  // The validator does find problems (so an empty list means something).
  assert.ok(validate('FROM node\nUSER\nHEALTHCHECK CMD\n').length >= 2);
});

test('the runtime image: default target, non-root numeric user, tini as PID 1, a healthcheck, every port exposed', async () => {
  const { stages } = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
  assert.equal(stages.at(-1)?.name, 'runtime', 'the last stage is what `docker build` builds by default');

  const user = effective(stages, 'runtime', 'USER');
  assert.match(user ?? '', /^\d+(:\d+)?$/, 'numeric, so Kubernetes runAsNonRoot can verify it');
  assert.notEqual(Number(user?.split(':')[0]), 0);
  // The chart's podSecurityContext runs as the same user.
  const values = await readFile(join(REPO_ROOT, 'helm', 'eventyard', 'values.yaml'), 'utf8');
  assert.match(values, new RegExp(`runAsUser: ${user?.split(':')[0]}\\b`));

  assert.deepEqual(JSON.parse(effective(stages, 'runtime', 'ENTRYPOINT') ?? 'null'), ['/usr/bin/tini', '--']);
  const installsTini = stage(stages, 'base').instructions.some((i) => i.keyword === 'RUN' && /apt-get install .*\btini\b/.test(i.args));
  assert.ok(installsTini, 'tini comes from Debian in the base stage');
  assert.match(effective(stages, 'runtime', 'HEALTHCHECK') ?? '', /CMD \["node", "deploy\/docker\/healthcheck\.mjs"\]$/);
  assert.deepEqual(JSON.parse(effective(stages, 'runtime', 'CMD') ?? 'null'), ['node', ...NODE_FLAGS, SERVICES[0]?.entry]);

  const exposed = new Set((effective(stages, 'runtime', 'EXPOSE') ?? '').split(/\s+/).map(Number));
  for (const service of SERVICES) {
    for (const port of [...service.ports.map((p) => p.port), service.healthPort]) assert.ok(exposed.has(port), `${service.name}: EXPOSE ${port}`);
  }
});

test('the runtime image holds production dependencies only, in the workspace layout that type stripping needs', async () => {
  const text = await readFile(DOCKERFILE, 'utf8');
  const { stages } = parseDockerfile(text);
  const prodInstall = stage(stages, 'prod-deps').instructions.find((i) => i.keyword === 'RUN' && i.args.includes('pnpm install'));
  assert.ok(prodInstall, 'prod-deps runs pnpm install');
  assert.match(prodInstall.args, /--prod\b/);
  assert.match(prodInstall.args, /--frozen-lockfile\b/);

  const runtime = stage(stages, 'runtime');
  assert.equal(runtime.base, 'base');
  const copiesFrom = runtime.instructions.flatMap((i) => (i.keyword === 'COPY' ? [/--from=(\S+)/.exec(i.args)?.[1]] : [])).filter(Boolean);
  assert.deepEqual(copiesFrom, ['prod-deps'], 'nothing from the stage with dev dependencies');
  const copied = runtime.instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from')).map((i) => i.args.split(/\s+/)[0]);
  for (const source of ['proto/', 'packages/', 'services/', 'deploy/docker/healthcheck.mjs']) assert.ok(copied.includes(source), `COPY ${source}`);
  assert.equal(effective(stages, 'runtime', 'WORKDIR'), '/app');

  // ADR 0001: pnpm deploy (or preserved symlinks) would put workspace .ts files under node_modules.
  assert.doesNotMatch(text.replace(/^#.*$/gm, ''), /pnpm deploy|preserve-symlinks|PRESERVE_SYMLINKS/);
});

test('the Dockerfile pins the Node and pnpm versions of the root package.json', async () => {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string; devDependencies: Record<string, string> };
  const { globalArgs } = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
  const arg = (name: string) => globalArgs.find((i) => i.keyword === 'ARG' && i.args.startsWith(`${name}=`))?.args.split('=')[1];
  assert.equal(arg('NODE_VERSION'), pkg.devDependencies.node);
  assert.equal(`pnpm@${arg('PNPM_VERSION')}`, pkg.packageManager);
});

/** Docker's rule: the last matching pattern wins; a pattern that matches a directory excludes what is in it. */
function dockerIgnored(patterns: string[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (candidates.some((candidate) => matchesGlob(candidate, pattern))) ignored = !negated;
  }
  return ignored;
}

test('.dockerignore keeps dependencies, tests and local data out of the build context, and the sources in', async () => {
  const patterns = (await readFile(join(REPO_ROOT, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const kept = [
    'package.json',
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    'patches/kafkajs@2.2.4.patch',
    'proto/src/index.ts',
    'proto/producer/producer.proto',
    'packages/core/src/index.ts',
    'packages/db/src/migrate-cli.ts',
    'packages/db/src/migrations/0001.ts',
    'packages/db/src/testing.ts',
    'deploy/docker/Dockerfile',
    'deploy/docker/healthcheck.mjs',
    'examples/dispatch-server.ts',
    ...SERVICES.map((s) => s.entry),
  ];
  for (const path of kept) assert.equal(dockerIgnored(patterns, path), false, `${path} must reach the build`);
  const dropped = [
    'node_modules/.pnpm/x/index.js',
    'services/router/node_modules/kafkajs/index.js',
    'packages/core/test/config.test.ts',
    'test/deploy/chart.test.ts',
    '.git/HEAD',
    'data/postgres/PG_VERSION',
    'helm/eventyard/values.yaml',
    'bench/broker/run.ts',
    'README.md',
  ];
  for (const path of dropped) assert.equal(dockerIgnored(patterns, path), true, `${path} must stay out of the build`);
});

async function runHealthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await execFileAsync(process.execPath, [HEALTHCHECK], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

test('the image healthcheck passes against a live /healthz and fails when it is down, unhealthy or unset', async (t) => {
  const health = await startHealthServer({ port: 0, host: '127.0.0.1', registry: createMetricsRegistry('healthcheck-test') });
  t.after(() => health.close());
  assert.deepEqual(await runHealthcheck({ EY_HEALTH_PORT: String(health.port) }), { code: 0, stderr: '' });

  const unhealthy = createServer((_req, res) => res.writeHead(503).end('{"status":"down"}'));
  await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => unhealthy.close(() => resolve())));
  const sick = await runHealthcheck({ EY_HEALTH_PORT: String((unhealthy.address() as AddressInfo).port) });
  assert.equal(sick.code, 1);
  assert.match(sick.stderr, /\/healthz answered 503/);

  const closedPort = health.port;
  await health.close();
  const down = await runHealthcheck({ EY_HEALTH_PORT: String(closedPort) });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /unreachable/);

  const unset = await runHealthcheck({});
  assert.equal(unset.code, 1);
  assert.match(unset.stderr, /EY_HEALTH_PORT must be a fixed port/);
  assert.equal((await runHealthcheck({ EY_HEALTH_PORT: '0' })).code, 1);
});
