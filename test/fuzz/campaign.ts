// The bad-input campaign: generates case `index` of campaign `seed` (pure, so any case replays alone),
// throws the cases at a running stack (producer gRPC and HTTP, admin, broker) with bounded concurrency,
// counts outcomes per target, watches that no service dies or restarts, and finally checks that every
// event the producer acknowledged reached the delivery history. Used by test/fuzz/campaign.test.ts
// (bounded) and bench/fuzz/run.ts (the large run).
import * as grpc from '@grpc/grpc-js';
import { nextDueForEvent } from '@eventyard/db';
import { E2E_ADMIN_TOKEN, startStack, type Cleanup, type RunningStack, type ServiceName } from '../e2e/stack.ts';
import type { FuzzCase, Target } from './cases.ts';
import { adminCase, routesFromOpenApi, type AdminRoute } from './gen-admin.ts';
import { grpcCase } from './gen-evhub.ts';
import { producerHttpCase } from './gen-json.ts';
import { kafkaCase } from './gen-kafka.ts';
import { caseSeed, Rng } from './prng.ts';
import { brokerServes, sendGrpc, sendHttp, sendKafka, type Outcome } from './targets.ts';

/** The producer's EY_MAX_EVENT_BYTES in the campaign's stack (its default). */
export const MAX_EVENT_BYTES = 1024 * 1024;
/** How long known-lossy events get once every other acknowledged event is in the history. */
const LOSSY_GRACE_MS = 3000;
const SERVICES: readonly ServiceName[] = ['producer', 'router', 'dispatcher', 'delay-scheduler', 'admin'];

/**
 * The known defect of issue #14 item 8 (being fixed elsewhere): a Report with a NUL in one of these fields
 * is acknowledged and then dropped by the router ("ingest record skipped", reason nul_character). Proto
 * names and proto3 JSON names. `qua` (EventSource's other string) fails the same way: the campaign found
 * it beside the fields the issue names.
 */
export const KNOWN_NUL_FIELDS: ReadonlySet<string> = new Set([
  'app_id',
  'appId',
  'topic_id',
  'topicId',
  'source',
  'qua',
  'tag',
  'tag_list',
  'tagList',
  'orderingKey',
]);

/**
 * Found by this campaign, not fixed here (the producer is another helper's area): an HTTP Report whose
 * JSON holds a lone UTF-16 surrogate escape ("\ud800") is acknowledged, the producer writes it as
 * invalid UTF-8, and the router skips the record ("string is not valid UTF-8"). Narrowly this generator on
 * the HTTP mirror; listed apart so the test names it until the producer refuses such strings.
 */
export function isLoneSurrogateLoss(m: Pick<CaseResult, 'target' | 'generator'>): boolean {
  return m.target === 'http' && m.generator === 'lone-surrogate';
}

/** True when an acknowledged-but-missing event is that known defect. */
export function isKnownNulLoss(m: Pick<CaseResult, 'nulFields'>): boolean {
  return m.nulFields.some((f) => KNOWN_NUL_FIELDS.has(f));
}

export interface GenerationContext {
  adminRoutes: readonly AdminRoute[];
  weights: Readonly<Record<Target, number>>;
}

export const DEFAULT_WEIGHTS: Readonly<Record<Target, number>> = { grpc: 35, http: 20, admin: 25, kafka: 20 };

/** Case `index` of campaign `seed`: the same bytes every time. */
export function generateCase(seed: number, index: number, ctx: GenerationContext): FuzzCase {
  const rng = new Rng(caseSeed(seed, index));
  switch (rng.weighted(ctx.weights)) {
    case 'grpc':
      return grpcCase(rng, index, MAX_EVENT_BYTES);
    case 'http':
      return producerHttpCase(rng, index);
    case 'admin':
      return adminCase(rng, index, ctx.adminRoutes);
    default:
      return kafkaCase(rng, index);
  }
}

export interface CaseResult extends Outcome {
  index: number;
  target: Target;
  generator: string;
  nulFields: string[];
}

export interface CampaignResult {
  seed: number;
  cases: number;
  durationMs: number;
  /** target → outcome → count */
  counts: Map<Target, Map<string, number>>;
  /** Cases whose outcome is a defect. */
  failures: CaseResult[];
  /** Acceptable outcomes worth a look (EvHub 20005 system errors). */
  answered: CaseResult[];
  acknowledged: number;
  /** Acknowledged events not in the history (nor pending as a timer) after the wait. */
  missing: CaseResult[];
  /** Services (and the broker) that died, restarted or stopped answering, with when it was first seen. */
  deaths: string[];
  adminRoutes: { listed: string[]; neverMatched: string[] };
}

export interface CampaignOptions {
  seed: number;
  count: number;
  /** Cases in flight at once. @default 8 */
  concurrency?: number;
  /** Only these indexes (a replay). */
  indexes?: readonly number[];
  weights?: Readonly<Record<Target, number>>;
  /** How long acknowledged events get to reach the history. @default 60000 */
  ackWaitMs?: number;
  /** Told about each finished case (progress, replay printing). */
  onCase?: (c: FuzzCase, result: CaseResult) => void;
}

/** Reads the admin's route list (its /openapi.json). */
export async function adminRoutesOf(stack: RunningStack): Promise<AdminRoute[]> {
  const doc = (await (await fetch(`http://127.0.0.1:${stack.port('admin', 'http')}/openapi.json`)).json()) as Parameters<typeof routesFromOpenApi>[0];
  return routesFromOpenApi(doc);
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthy(stack: RunningStack, service: ServiceName): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${stack.healthPort(service)}/healthz`, { signal: AbortSignal.timeout(5000) })).status === 200;
  } catch {
    return false;
  }
}

export async function runCampaign(stack: RunningStack, options: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const adminRoutes = await adminRoutesOf(stack);
  const ctx: GenerationContext = { adminRoutes, weights: options.weights ?? DEFAULT_WEIGHTS };
  const brokerPort = Number(stack.kafkaBrokers.split(':').at(-1));
  const pids = new Map<string, number | undefined>([...SERVICES.map((s) => [s, stack.pid(s)] as const), ['broker', stack.brokerPid]]);
  const client = new grpc.Client(`127.0.0.1:${stack.port('producer', 'grpc')}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
  const producerHttp = `http://127.0.0.1:${stack.port('producer', 'http')}`;
  const adminHttp = `http://127.0.0.1:${stack.port('admin', 'http')}`;

  const counts = new Map<Target, Map<string, number>>();
  const failures: CaseResult[] = [];
  const answered: CaseResult[] = [];
  const acked: CaseResult[] = [];
  const deaths: string[] = [];
  const dead = new Set<string>();
  let lastStarted = -1;

  // A watcher notes the first moment a process is gone or unhealthy, and which case had just started.
  // A gone process counts at once; an unanswered health check only three times in a row, so a loaded
  // machine's slow answer is not a death.
  const misses = new Map<string, number>();
  const watch = async (): Promise<void> => {
    for (const [name, pid] of pids) {
      if (dead.has(name)) continue;
      const running = alive(pid);
      const answers = running && (name === 'broker' ? await brokerServes(brokerPort) : await healthy(stack, name as ServiceName));
      misses.set(name, answers ? 0 : (misses.get(name) ?? 0) + 1);
      if (!running || (misses.get(name) ?? 0) >= 3) {
        dead.add(name);
        deaths.push(`${name} (pid ${pid ?? '?'}) ${running ? 'stopped answering its health check' : 'is gone'}, first seen after case ${lastStarted} started`);
      }
    }
  };
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await watch();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();

  const indexes = options.indexes ?? Array.from({ length: options.count }, (_, i) => i);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < indexes.length; i = next++) {
      const index = indexes[i] as number;
      lastStarted = Math.max(lastStarted, index);
      const c = generateCase(options.seed, index, ctx);
      let outcome: Outcome;
      try {
        if (c.target === 'grpc') outcome = await sendGrpc(client, c);
        else if (c.target === 'kafka') outcome = await sendKafka(brokerPort, c);
        else outcome = await sendHttp(c.target === 'http' ? producerHttp : adminHttp, c);
      } catch (err) {
        outcome = { outcome: 'campaign-error', ok: false, detail: String(err) };
      }
      const result: CaseResult = { ...outcome, index, target: c.target, generator: c.generator, nulFields: c.nulFields };
      const byOutcome = counts.get(c.target) ?? new Map<string, number>();
      byOutcome.set(outcome.outcome, (byOutcome.get(outcome.outcome) ?? 0) + 1);
      counts.set(c.target, byOutcome);
      if (!outcome.ok) failures.push(result);
      else if (/20005/.test(outcome.outcome)) answered.push(result);
      if (outcome.eventId !== undefined) acked.push(result);
      options.onCase?.(c, result);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, () => worker()));
  } finally {
    client.close();
  }

  const missing = await awaitHistory(stack, acked, options.ackWaitMs ?? 60_000);
  watching = false;
  await watcher;
  for (let i = 0; i < 3; i++) await watch();
  for (const [name, pid] of pids) {
    const now = name === 'broker' ? stack.brokerPid : stack.pid(name as ServiceName);
    if (now !== pid) deaths.push(`${name} restarted: pid ${pid ?? '?'} → ${now ?? '?'}`);
  }

  const neverMatched = await unmatchedAdminRoutes(stack, adminRoutes);
  return {
    seed: options.seed,
    cases: indexes.length,
    durationMs: Date.now() - started,
    counts,
    failures,
    answered,
    acknowledged: acked.length,
    missing,
    deaths,
    adminRoutes: { listed: adminRoutes.map((r) => `${r.method} ${r.template}`), neverMatched },
  };
}

/** Polls the admin for every acknowledged event; returns those still absent (and not pending as a timer) at the deadline. */
async function awaitHistory(stack: RunningStack, acked: readonly CaseResult[], waitMs: number): Promise<CaseResult[]> {
  // Events of the known lossy classes never arrive; waiting the whole deadline for them would cost every
  // run. Once everything else has arrived (the router works through each partition in order), they get
  // a short grace and are then reported missing.
  const lossy = (r: CaseResult): boolean => isKnownNulLoss(r) || isLoneSurrogateLoss(r);
  let onlyLossySince: number | undefined;
  let pending = [...acked];
  const deadline = Date.now() + waitMs;
  const admin = `http://127.0.0.1:${stack.port('admin', 'http')}`;
  const found = async (r: CaseResult): Promise<boolean> => {
    const res = await fetch(`${admin}/v1/events/${r.eventId}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
    await res.arrayBuffer();
    if (res.status === 200) return true;
    // A delay or repeat event waits as a timer before it reaches the router.
    return (await nextDueForEvent(stack.knex, r.eventId as string)) !== null;
  };
  while (pending.length > 0) {
    const still: CaseResult[] = [];
    for (let i = 0; i < pending.length; i += 16) {
      const batch = pending.slice(i, i + 16);
      const seen = await Promise.all(batch.map((r) => found(r).catch(() => false)));
      batch.forEach((r, j) => {
        if (!seen[j]) still.push(r);
      });
    }
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    if (pending.every(lossy)) {
      onlyLossySince ??= Date.now();
      if (Date.now() - onlyLossySince > LOSSY_GRACE_MS) break;
    } else onlyLossySince = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return pending;
}

/** Routes of /openapi.json that no case reached (fastify's matched route, from the admin's request metric). */
async function unmatchedAdminRoutes(stack: RunningStack, routes: readonly AdminRoute[]): Promise<string[]> {
  const metrics = await (await fetch(`http://127.0.0.1:${stack.healthPort('admin')}/metrics`)).text();
  const matched = new Set([...metrics.matchAll(/eventyard_admin_requests_total\{method="([A-Z]+)",route="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`));
  return routes.map((r) => `${r.method} ${r.template}`).filter((key) => !matched.has(key));
}

/** The printed report: outcomes per target, then defects, losses, deaths and route coverage. */
export function formatReport(r: CampaignResult): string {
  const lines: string[] = [];
  lines.push(`fuzz campaign seed=${r.seed}: ${r.cases} cases in ${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push('');
  lines.push(`${'target'.padEnd(8)} ${'outcome'.padEnd(44)} ${'count'.padStart(7)}`);
  for (const target of ['grpc', 'http', 'admin', 'kafka'] as const) {
    const byOutcome = [...(r.counts.get(target) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    const total = byOutcome.reduce((s, [, n]) => s + n, 0);
    for (const [outcome, n] of byOutcome) lines.push(`${target.padEnd(8)} ${outcome.padEnd(44)} ${String(n).padStart(7)}`);
    lines.push(`${target.padEnd(8)} ${'(total)'.padEnd(44)} ${String(total).padStart(7)}`);
  }
  lines.push('');
  lines.push(`defective outcomes: ${r.failures.length}`);
  const byKind = new Map<string, CaseResult[]>();
  for (const f of r.failures) byKind.set(`${f.target} ${f.generator} → ${f.outcome}`, [...(byKind.get(`${f.target} ${f.generator} → ${f.outcome}`) ?? []), f]);
  for (const [kind, list] of byKind)
    lines.push(
      `  ${kind}: ${list.length} (replay: --seed ${r.seed} --index ${list
        .slice(0, 5)
        .map((f) => f.index)
        .join(',')}) ${list[0]?.detail?.slice(0, 160) ?? ''}`,
    );
  const knownNul = r.missing.filter(isKnownNulLoss);
  const surrogates = r.missing.filter((m) => !isKnownNulLoss(m) && isLoneSurrogateLoss(m));
  const otherMissing = r.missing.filter((m) => !isKnownNulLoss(m) && !isLoneSurrogateLoss(m));
  lines.push(
    `acknowledged events: ${r.acknowledged}; missing from the history: ${r.missing.length} (known NUL defect, issue #14 item 8: ${knownNul.length}; lone surrogate over HTTP: ${surrogates.length}; other: ${otherMissing.length})`,
  );
  const missingBy = new Map<string, CaseResult[]>();
  for (const m of r.missing) {
    const key = `${m.target} ${m.generator}${m.nulFields.length > 0 ? ` (NUL in ${[...new Set(m.nulFields)].join(',')})` : ''}`;
    missingBy.set(key, [...(missingBy.get(key) ?? []), m]);
  }
  for (const [key, list] of [...missingBy].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(
      `  ${key}: ${list.length} (replay: --seed ${r.seed} --index ${list
        .slice(0, 5)
        .map((m) => m.index)
        .join(',')}; e.g. event ${list[0]?.eventId ?? ''})`,
    );
  }
  // Coded, so not a defect by the rules above, but an internal error (EvHub 20005) is worth a look.
  const internal = r.answered;
  lines.push(`answered with EvHub 20005 (system error): ${internal.length}`);
  for (const a of internal.slice(0, 5))
    lines.push(
      `  ${a.target} ${a.generator}${a.nulFields.length > 0 ? ` (NUL in ${a.nulFields.join(',')})` : ''} case ${a.index}: ${a.detail?.slice(0, 160) ?? ''}`,
    );
  lines.push(`service deaths/restarts: ${r.deaths.length === 0 ? 'none' : ''}`);
  for (const d of r.deaths) lines.push(`  ${d}`);
  lines.push(
    `admin routes listed: ${r.adminRoutes.listed.length}; never matched: ${r.adminRoutes.neverMatched.length === 0 ? 'none' : r.adminRoutes.neverMatched.join(', ')}`,
  );
  return lines.join('\n');
}

/**
 * The stack the campaign runs against: every service as a real process, the broker as a process of its
 * own (so a broker crash is a dead pid, not a dead test), and Reports without API keys (a fuzzed
 * POST /v1/api-keys that succeeds must not switch the producer to "keys required" halfway through).
 */
export function startFuzzStack(cleanup: Cleanup): Promise<RunningStack> {
  return startStack(cleanup, { brokerProcess: true, env: { EY_REQUIRE_API_KEY: 'false' } });
}
