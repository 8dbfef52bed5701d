// The Go and Python examples (examples/go, examples/python) against real processes: their EvHub code is
// generated from proto/ with the standard generators into a temp dir, the Go ones built in GOPATH mode
// (examples/go/build.sh, examples/python/generate.sh), and then each language's Dispatch server is
// registered as processors through the admin API, its Report client reports, and the test checks what the
// server printed, what the client printed, and the delivery history (ret.code 0 succeeded, 500 dead).
// Each language skips with the reason when its toolchain is absent (.ci/run installs them from Debian).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@eventyard/cli/stack';
import { registerProcessor } from './event-kinds.ts';
import { adminCall, startStack, waitForRouterProcessors, waitUntil, type RunningStack } from './stack.ts';

const exec = promisify(execFile);
const GOPATH_DEPS = '/usr/share/gocode';
const GO_PACKAGES =
  'golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc protobuf-compiler';
// Shared between runs so only the first one compiles grpc-go (about 20 s); Go's build cache is
// content-addressed, so a stale or concurrent entry cannot give a wrong build.
const GOCACHE = join(tmpdir(), 'eventyard-examples-gocache');

async function runs(command: string, args: string[]): Promise<boolean> {
  try {
    await exec(command, args, { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Why the Go examples cannot be built here, or undefined when they can. */
async function goSkipReason(): Promise<string | undefined> {
  const missing: string[] = [];
  if (!(await runs('go', ['version']))) missing.push('go');
  if (!(await runs('protoc', ['--version']))) missing.push('protoc');
  for (const plugin of ['protoc-gen-go', 'protoc-gen-go-grpc']) if (!(await runs(plugin, ['--version']))) missing.push(plugin);
  if (!(await exists(join(GOPATH_DEPS, 'src/google.golang.org/grpc')))) missing.push(`grpc-go in ${GOPATH_DEPS}`);
  // golang/protobuf 1.3 has no registry.go; with it, grpc-go's codec panics on the generated (APIv2) messages.
  if (!(await exists(join(GOPATH_DEPS, 'src/github.com/golang/protobuf/proto/registry.go')))) missing.push(`golang/protobuf >= 1.4 in ${GOPATH_DEPS}`);
  return missing.length === 0 ? undefined : `Go toolchain incomplete (missing ${missing.join(', ')}): apt-get install ${GO_PACKAGES} (CI installs them)`;
}

/** A Python with grpcio and grpcio-tools: the one on PATH, else Debian's (pyenv shims hide it). */
async function findPython(): Promise<string | undefined> {
  for (const python of ['python3', '/usr/bin/python3']) if (await runs(python, ['-c', 'import grpc, grpc_tools.protoc'])) return python;
  return undefined;
}

interface ExampleServer {
  addr: string;
  /** JSON lines printed on stdout so far: one per Dispatch call. */
  calls(): Array<Record<string, unknown>>;
  output(): string;
}

/** Starts an example Dispatch server on a free port; it is stopped when `t` ends. */
async function startExampleServer(t: TestContext, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ExampleServer> {
  const child = spawn(command, [...args, '--host', '127.0.0.1', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  let addr = '';
  await waitUntil(
    () => {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${stdout}${stderr}`);
      addr = /listening on (127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? '';
      return addr !== '';
    },
    20_000,
    `${command} listening`,
  );
  return {
    addr,
    calls: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    output: () => stdout + stderr,
  };
}

/** Runs an example Report client; asserts it exited 0 and printed one event_id with ret.code 0. */
async function runReport(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout, stderr } = await exec(command, args, { env, timeout: 30_000 }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line of output: ${stdout}${stderr}`);
  const printed = JSON.parse(lines[0] ?? '') as { event_id: string; ret: { code: number; msg: string } };
  assert.match(printed.event_id, /^\d{1,19}$/, stdout);
  assert.equal(printed.ret.code, 0, stdout);
  return printed.event_id;
}

interface Delivery {
  dispatcher_id: string;
  status: string;
  attempts: Array<{ outcome: string; ret_code: number | null }>;
}

async function deliveryOf(stack: RunningStack, eventId: string, dispatcherId: string): Promise<Delivery | undefined> {
  const { body } = await adminCall(stack, 'GET', `/v1/events/${eventId}`);
  const deliveries = (body.deliveries ?? (body.event as { deliveries?: unknown } | undefined)?.deliveries ?? []) as Delivery[];
  return deliveries.find((d) => d.dispatcher_id === dispatcherId);
}

interface Language {
  name: 'go' | 'python';
  server: { command: string; args: string[] };
  /** Report client command line for one event. */
  report(producerAddr: string, app: string, topic: string, data: string, orderingKey: string): { command: string; args: string[] };
  env?: NodeJS.ProcessEnv;
}

/**
 * One language's examples end to end: its server registered for topic `<lang>` (answers ret.code 0) and
 * `<lang>-fail` (answers 500 through --fail-topic, one attempt), one event reported to each by its client.
 */
async function exercise(t: TestContext, stack: RunningStack, lang: Language, processorsBefore: number): Promise<void> {
  const app = 'polyglot';
  const failTopic = `${lang.name}-fail`;
  const server = await startExampleServer(t, lang.server.command, [...lang.server.args, '--fail-topic', failTopic], lang.env);
  await registerProcessor(stack, {
    dispatcher_id: `polyglot-${lang.name}`,
    app_id: app,
    topic_id: lang.name,
    protocol_type: 'grpcSend',
    addr: server.addr,
    timeout: 3000,
  });
  await registerProcessor(stack, {
    dispatcher_id: `polyglot-${failTopic}`,
    app_id: app,
    topic_id: failTopic,
    protocol_type: 'grpcSend',
    addr: server.addr,
    timeout: 3000,
    retry_strategy: { retry_count: 1, retry_interval: 100 },
  });
  await waitForRouterProcessors(stack, processorsBefore + 2);

  const producerAddr = `127.0.0.1:${stack.port('producer', 'grpc')}`;
  const data = `{"from":"${lang.name}","text":"héllo"}`;
  const okCommand = lang.report(producerAddr, app, lang.name, data, 'customer-7');
  const okId = await runReport(okCommand.command, okCommand.args, lang.env);
  const failCommand = lang.report(producerAddr, app, failTopic, 'refuse me', 'customer-7');
  const failId = await runReport(failCommand.command, failCommand.args, lang.env);

  await waitUntil(() => server.calls().some((c) => c.event_id === okId), 30_000, `delivery of ${okId} to the ${lang.name} server:\n${server.output()}`);
  assert.deepEqual(
    server.calls().find((c) => c.event_id === okId),
    { event_id: okId, app_id: app, topic_id: lang.name, retry_times: 0, repeat_times: 0, data },
  );
  await waitUntil(async () => (await deliveryOf(stack, okId, `polyglot-${lang.name}`))?.status === 'succeeded', 15_000, 'ret.code 0 recorded as succeeded');
  const ok = await deliveryOf(stack, okId, `polyglot-${lang.name}`);
  assert.deepEqual(
    ok?.attempts.map((a) => [a.outcome, a.ret_code]),
    [['success', 0]],
  );
  const { body: view } = await adminCall(stack, 'GET', `/v1/events/${okId}`);
  assert.equal((view.event as { ordering_key?: string }).ordering_key, 'customer-7', 'the client sent its ordering key');

  await waitUntil(
    async () => (await deliveryOf(stack, failId, `polyglot-${failTopic}`))?.status === 'dead',
    30_000,
    `ret.code 500 from the ${lang.name} server recorded as dead:\n${server.output()}`,
  );
  const failed = await deliveryOf(stack, failId, `polyglot-${failTopic}`);
  assert.deepEqual(
    failed?.attempts.map((a) => [a.outcome, a.ret_code]),
    [['failure', 500]],
  );
  assert.equal(server.calls().filter((c) => c.event_id === failId).length, 1, 'retry_count 1: one attempt');
}

test('the Go and Python examples report and serve Dispatch against the real stack', { timeout: 180_000 }, async (t) => {
  const [goReason, python] = await Promise.all([goSkipReason(), findPython()]);
  const pythonReason =
    python === undefined ? 'no python3 with grpc and grpc_tools: apt-get install python3-grpcio python3-grpc-tools (CI installs them)' : undefined;
  if (goReason !== undefined && pythonReason !== undefined) {
    t.skip(`${goReason}; ${pythonReason}`);
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'ey-polyglot-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  await mkdir(GOCACHE, { recursive: true });

  // The Go build overlaps the stack's start; allSettled so a failed build still waits for the stack (its
  // teardown is registered on t).
  const started = Date.now();
  const goBuild = async () => {
    if (goReason !== undefined) return;
    await exec('sh', [join(REPO_ROOT, 'examples/go/build.sh'), join(work, 'go')], { env: { ...process.env, GOCACHE }, timeout: 150_000 });
    t.diagnostic(`go examples generated and built in ${Date.now() - started} ms`);
  };
  const pythonGenerate = async () => {
    if (python === undefined) return;
    await exec('sh', [join(REPO_ROOT, 'examples/python/generate.sh'), join(work, 'python')], { env: { ...process.env, PYTHON: python }, timeout: 60_000 });
  };
  const [stackResult, ...builds] = await Promise.allSettled([startStack(t), goBuild(), pythonGenerate()]);
  for (const result of [stackResult, ...builds]) if (result.status === 'rejected') throw result.reason;
  assert.ok(stackResult.status === 'fulfilled');
  const stack = stackResult.value;
  let processors = 0;

  await t.test('go: report client and Dispatch server', { skip: goReason }, async (st) => {
    const bin = join(work, 'go/bin');
    await exercise(
      st,
      stack,
      {
        name: 'go',
        server: { command: join(bin, 'dispatch-server'), args: [] },
        report: (addr, app, topic, data, key) => ({
          command: join(bin, 'report'),
          args: ['-addr', addr, '-app', app, '-topic', topic, '-data', data, '-ordering-key', key],
        }),
      },
      processors,
    );
    processors += 2;
  });

  await t.test('python: report client and Dispatch server', { skip: pythonReason }, async (st) => {
    const examples = join(REPO_ROOT, 'examples/python');
    await exercise(
      st,
      stack,
      {
        name: 'python',
        server: { command: python ?? 'python3', args: [join(examples, 'dispatch_server.py')] },
        report: (addr, app, topic, data, key) => ({
          command: python ?? 'python3',
          args: [join(examples, 'report.py'), '--addr', addr, '--app', app, '--topic', topic, '--data', data, '--ordering-key', key],
        }),
        env: { ...process.env, PYTHONPATH: join(work, 'python') },
      },
      processors,
    );
    processors += 2;
  });
});
