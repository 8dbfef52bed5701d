// One sample of a process (or a process with its children, for Postgres) from /proc: resident memory,
// CPU seconds so far and open file descriptors. Linux only, like the rest of the benches.
import { descendants, fdCount, groupCpuSeconds, procKbField, readStat } from '../e2e/cpu-time.ts';

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

/** A sample of `pid`, or of it and all its descendants (`group`); undefined when it is gone. */
export function sampleProcess(pid: number, group = false): ProcessSample | undefined {
  const own = readStat(pid);
  if (own === undefined) return undefined;
  if (!group) return { rssBytes: procKbField(`/proc/${pid}/status`, 'VmRSS'), cpuSeconds: own.cpuSeconds, fds: fdCount(pid), processes: 1 };
  const pids = [pid, ...descendants(pid)];
  let rss = 0;
  let fds = 0;
  for (const p of pids) {
    rss += procKbField(`/proc/${p}/status`, 'RssAnon');
    fds += fdCount(p);
  }
  return { rssBytes: rss, cpuSeconds: groupCpuSeconds(pids), fds, processes: pids.length };
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
