// One sample of a process (or a process with its children, for Postgres) from /proc: resident memory,
// CPU seconds so far and open file descriptors. Linux only, like the rest of the benches.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: clock ticks per second of /proc/<pid>/stat's times; 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

export interface ProcessSample {
  /** Resident memory, bytes (for a group: the sum of anonymous RSS, so shared buffers are not counted N times). */
  rssBytes: number;
  /** utime + stime so far, seconds. */
  cpuSeconds: number;
  /** Open file descriptors (sockets, files, pipes). */
  fds: number;
  /** Processes counted (1, or the group's size). */
  processes: number;
}

function statOf(pid: number): { ppid: number; cpuSeconds: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may contain spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function statusKb(pid: number, key: 'VmRSS' | 'RssAnon'): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Every descendant of `root`, by /proc's parent links. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = statOf(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const frontier = [root];
  for (let pid = frontier.pop(); pid !== undefined; pid = frontier.pop()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      frontier.push(child);
    }
  }
  return found;
}

/** A sample of `pid`, or of it and all its descendants (`group`); undefined when it is gone. */
export function sampleProcess(pid: number, group = false): ProcessSample | undefined {
  const own = statOf(pid);
  if (own === undefined) return undefined;
  if (!group) return { rssBytes: statusKb(pid, 'VmRSS') * 1024, cpuSeconds: own.cpuSeconds, fds: fdCount(pid), processes: 1 };
  const pids = [pid, ...descendants(pid)];
  let rss = 0;
  let cpu = 0;
  let fds = 0;
  for (const p of pids) {
    rss += statusKb(p, 'RssAnon') * 1024;
    cpu += statOf(p)?.cpuSeconds ?? 0;
    fds += fdCount(p);
  }
  return { rssBytes: rss, cpuSeconds: cpu, fds, processes: pids.length };
}

/** Least-squares slope of y over x (per unit of x); 0 with fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
