// What a process costs while it idles, read from /proc (Linux): CPU seconds (utime + stime of every
// thread, and of reaped children for a process that forks workers, as Postgres does), resident memory
// (VmRSS), proportional memory (Pss: shared pages divided among the processes sharing them, so
// Postgres' shared buffers are not counted once per backend) and anonymous resident memory (RssAnon: the
// process's own heap and stacks). RSS also counts the pages of the `node` binary the process touched
// (~50 MB, shared by every Node process), and how many of those count depends on how the kernel's page
// cache holds that file: the same binary at another path (a baseline worktree's fresh copy) read 11 MB
// more RSS for a bare `node`. RssAnon is what a code change moves; compare trees by it.
import { readFileSync } from 'node:fs';
import { descendants, groupCpuSeconds, procKbField as kbField, procKbFields, readStat } from '../e2e/cpu-time.ts';

/** The process's command line, arguments joined by spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function parentOf(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

/** One measured unit: a process, or a process with everything it forked (Postgres). */
export interface ProcessGroup {
  name: string;
  pid: number;
  withDescendants: boolean;
}

export interface GroupSample {
  cpuSeconds: number;
  rssBytes: number;
  pssBytes: number;
  anonBytes: number;
  /** False once the group's root process is gone (it exited or was restarted meanwhile). */
  alive: boolean;
}

/**
 * CPU, RSS, PSS and anonymous RSS of a group now. A group with descendants counts its root's reaped children too, so
 * a worker that exits within the window (an autovacuum worker) keeps counting after it is gone.
 */
export function sampleGroup(group: ProcessGroup): GroupSample {
  const root = readStat(group.pid);
  if (root === undefined) return { cpuSeconds: 0, rssBytes: 0, pssBytes: 0, anonBytes: 0, alive: false };
  const pids = group.withDescendants ? [group.pid, ...descendants(group.pid)] : [group.pid];
  const cpuSeconds = group.withDescendants ? groupCpuSeconds(pids) : root.cpuSeconds;
  let rssBytes = 0;
  let pssBytes = 0;
  let anonBytes = 0;
  for (const pid of pids) {
    const [rss = 0, anon = 0] = procKbFields(`/proc/${pid}/status`, ['VmRSS', 'RssAnon']);
    rssBytes += rss;
    anonBytes += anon;
    pssBytes += kbField(`/proc/${pid}/smaps_rollup`, 'Pss');
  }
  return { cpuSeconds, rssBytes, pssBytes, anonBytes, alive: true };
}
