// deploy/compose/docker-compose.yml checked by dclint (Docker Compose schema validation plus its default
// best-practice rules, offline); what the services run is checked against stack.ts in drift.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './chart-render.ts';

const execFileAsync = promisify(execFile);
const COMPOSE_FILE = join(REPO_ROOT, 'deploy', 'compose', 'docker-compose.yml');
const DCLINT = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'bin', 'dclint.cjs');

interface LintResult {
  filePath: string;
  messages: { rule: string; type: string; message: string; line: number }[];
  errorCount: number;
  warningCount: number;
}

async function dclint(file: string): Promise<LintResult[]> {
  // dclint exits 1 when it finds errors; the JSON report is on stdout either way.
  const run = execFileAsync(process.execPath, [DCLINT, file, '--formatter', 'json', '--color', 'false'], { cwd: dirname(file) });
  const { stdout } = await run.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return JSON.parse(stdout) as LintResult[];
}

test('the compose file passes dclint with no errors and no warnings', async () => {
  const [result] = await dclint(COMPOSE_FILE);
  assert.ok(result, 'dclint reported on the file');
  assert.deepEqual(result.messages.map((m) => `${m.line}: ${m.rule}: ${m.message}`), []);
});

test('dclint does catch a broken compose file (so a clean report means something)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ey-compose-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, 'services:\n  web:\n    image: nginx\n    build: .\n    ports:\n      - 8080:80\n    restart: sometimes\n');
  const [result] = await dclint(file);
  assert.ok(result !== undefined && result.errorCount > 0, JSON.stringify(result));
});
