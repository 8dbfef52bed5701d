// Summarises a V8 CPU profile (a `.cpuprofile` written by `node --cpu-prof`, e.g. by
// `bench/e2e/run.ts --cpu-prof <dir>`) as text: the top N functions by self time, and self time per
// package (a dependency under node_modules, one of ours under packages/ or services/, or node's own),
// which is what the committed summaries under bench/profiles/ are made of.
//
//   node_modules/.bin/node bench/profiles/summarise.ts <file.cpuprofile | dir> [--top 25] [--skip-s 0]
//
// A directory is searched for .cpuprofile files; each is summarised in turn. Besides self time, it prints
// time by package *with node's and V8's own frames charged to the package that called them* (a socket
// write kafkajs asked for counts as kafkajs): the reading issue #16's rule for the Kafka client ("more than
// a quarter of a service's profile") needs. `--skip-s N` leaves out the first N seconds (start-up, module
// compilation), so a bench profile can be read for its loaded part.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Where a frame's code lives: `kafkajs`, `@grpc/grpc-js`, `ours:services/router`, `node:internal`, or `(v8)`. */
export function packageOf(url: string): string {
  if (url === '') return '(v8)';
  if (url.startsWith('node:')) return 'node';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
  }
  const ours = /\/((?:packages|services)\/[^/]+)\//.exec(path);
  return ours === null ? path : `ours:${ours[1]}`;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  const ours = /\/((?:packages|services|bench)\/.*)$/.exec(path);
  return ours?.[1] ?? path;
}

export interface Summary {
  totalMs: number;
  /** Sampled time not idle and not the program/GC pseudo-frames. */
  busyMs: number;
  frames: Array<{ name: string; where: string; selfMs: number }>;
  packages: Array<{ name: string; selfMs: number }>;
  /** Busy time per package with node's and V8's frames charged to their nearest caller outside them. */
  callers: Array<{ name: string; selfMs: number }>;
}

const isRuntime = (pkg: string): boolean => pkg === 'node' || pkg === '(v8)';

/** The package a sample's time is charged to: its own frame's, or for node/V8 frames the nearest caller's. */
function chargedPackage(id: number, byId: Map<number, ProfileNode>, parentOf: Map<number, number>): string {
  const own = byId.get(id);
  const ownPkg = own === undefined ? '(v8)' : frameKey(own.callFrame).pkg;
  if (!isRuntime(ownPkg)) return ownPkg;
  for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at);
    if (node === undefined) break;
    const { pkg } = frameKey(node.callFrame);
    if (!isRuntime(pkg) && !pkg.startsWith('(')) return pkg;
  }
  return ownPkg;
}

function frameKey(frame: CallFrame): { name: string; pkg: string } {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return { name, pkg: frame.url === '' ? (name.startsWith('(') ? name : '(v8)') : packageOf(frame.url) };
}

/** Self time per function and per package, from the samples and their time deltas (hit counts when absent). */
export function summarise(profile: CpuProfile, skipMs = 0): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples !== undefined && timeDeltas !== undefined && samples.length === timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; the sample stands for the interval that follows it.
    let elapsedUs = 0;
    for (let i = 0; i < samples.length; i++) {
      elapsedUs += timeDeltas[i] ?? 0;
      if (elapsedUs < skipMs * 1000) continue;
      const id = samples[i] ?? 0;
      selfUs.set(id, (selfUs.get(id) ?? 0) + (timeDeltas[i + 1] ?? 0));
    }
  } else {
    const total = profile.endTime - profile.startTime;
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    for (const node of profile.nodes) selfUs.set(node.id, ((node.hitCount ?? 0) / Math.max(1, hits)) * total);
  }
  const frames = new Map<string, { name: string; where: string; selfMs: number }>();
  const packages = new Map<string, number>();
  const callers = new Map<string, number>();
  let totalMs = 0;
  let busyMs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const ms = us / 1000;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyMs += ms;
    const { name, pkg } = frameKey(node.callFrame);
    const where = url === '' ? '' : `${shortUrl(url)}:${lineNumber + 1}`;
    const key = `${name}\n${where}`;
    const frame = frames.get(key) ?? { name, where, selfMs: 0 };
    frame.selfMs += ms;
    frames.set(key, frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    const charged = chargedPackage(id, byId, parentOf);
    callers.set(charged, (callers.get(charged) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].map(([name, selfMs]) => ({ name, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
  return {
    totalMs,
    busyMs,
    frames: [...frames.values()].sort((a, b) => b.selfMs - a.selfMs),
    packages: sorted(packages),
    callers: sorted(callers),
  };
}

/** The summary as the text committed under bench/profiles/. */
export function formatSummary(title: string, summary: Summary, top: number): string {
  const pct = (ms: number) => `${((ms / Math.max(summary.busyMs, 1e-9)) * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `# ${title}`,
    `sampled ${(summary.totalMs / 1000).toFixed(1)} s, busy (not idle) ${(summary.busyMs / 1000).toFixed(2)} s; percentages are of busy time`,
    '',
    'self time by package:',
  ];
  for (const p of summary.packages.slice(0, 12)) lines.push(`  ${pct(p.selfMs)}  ${p.selfMs.toFixed(0).padStart(7)} ms  ${p.name}`);
  lines.push('', "time by package, node's and V8's own frames charged to the package that called them:");
  for (const p of summary.callers.slice(0, 12)) lines.push(`  ${pct(p.selfMs)}  ${p.selfMs.toFixed(0).padStart(7)} ms  ${p.name}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const f of summary.frames.slice(0, top)) lines.push(`  ${pct(f.selfMs)}  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

function profilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => join(path, name));
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, 'skip-s': { type: 'string', default: '0' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: node bench/profiles/summarise.ts <file.cpuprofile | dir> [--top 25] [--skip-s 0]\n');
    process.exit(2);
  }
  for (const root of positionals) {
    for (const file of profilesUnder(root)) {
      const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
      console.log(`${formatSummary(relative(process.cwd(), file) || file, summarise(profile, Number(values['skip-s']) * 1000), Number(values.top))}\n`);
    }
  }
}
