// Printing the e2e bench's rows: one tree's table, or two trees side by side over several rounds with
// their ratio and how far the rounds spread (so noise is visible next to the difference it may explain).
import type { Row } from './phases.ts';

export function formatTable(rows: readonly Row[]): string {
  const lines = [`${'measure'.padEnd(56)}${'per s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}  note`];
  for (const row of rows) {
    lines.push(
      `${row.what.padEnd(56)}${(Number.isNaN(row.perSecond) ? '' : row.perSecond.toFixed(0)).padStart(10)}${(row.p50?.toFixed(1) ?? '').padStart(9)}${(row.p99?.toFixed(1) ?? '').padStart(9)}  ${row.note ?? ''}`,
    );
  }
  return lines.join('\n');
}

/** The numbers a comparison puts side by side, with their column name and precision. */
const METRICS = [
  { key: 'perSecond', label: 'per s', digits: 0 },
  { key: 'p50', label: 'p50 ms', digits: 1 },
  { key: 'p99', label: 'p99 ms', digits: 1 },
  { key: 'cpuMs', label: 'CPU ms', digits: 3 },
  { key: 'idlePercent', label: '% core', digits: 1 },
  { key: 'perBatch', label: 'per rnd', digits: 2 },
  { key: 'perEvent', label: 'per evt', digits: 2 },
] as const;

type MetricKey = (typeof METRICS)[number]['key'];

function metric(row: Row | undefined, key: MetricKey): number | undefined {
  const value = row?.[key];
  return value === undefined || !Number.isFinite(value) ? undefined : value;
}

/** The value at rank floor(p% × n) of ascending `sorted` (the last for p = 100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** (max − min) / median, in percent: how far one tree's rounds disagree with each other. */
export function spreadPercent(values: readonly number[]): number {
  const mid = median(values);
  return mid === 0 ? 0 : ((Math.max(...values) - Math.min(...values)) / Math.abs(mid)) * 100;
}

export interface TreeRounds {
  label: string;
  /** Rows of each round, in round order. */
  rounds: Row[][];
}

/**
 * Both trees per row and metric: each tree's median over its rounds and their spread, the ratio of the
 * medians (current / baseline), and the range of the per-round ratios (round i of one against round i
 * of the other, which ran next to each other in time).
 */
export function formatComparison(baseline: TreeRounds, current: TreeRounds): string {
  const order: string[] = [];
  for (const rows of [...current.rounds, ...baseline.rounds]) for (const row of rows) if (!order.includes(row.what)) order.push(row.what);
  const find = (tree: TreeRounds, what: string) => tree.rounds.map((rows) => rows.find((row) => row.what === what));
  const cell = (value: number | undefined, digits: number, width: number) => (value === undefined ? '–' : value.toFixed(digits)).padStart(width);
  // One round has no spread; a tree without the metric neither.
  const spread = (values: readonly number[]) => (values.length > 1 ? `${spreadPercent(values).toFixed(0)}%` : '–').padStart(8);
  const lines = [
    `${'measure'.padEnd(56)}${'metric'.padEnd(8)}${baseline.label.padStart(11)}${'spread'.padStart(8)}${current.label.padStart(11)}${'spread'.padStart(8)}${'cur/base'.padStart(10)}  per round`,
  ];
  for (const what of order) {
    const base = find(baseline, what);
    const cur = find(current, what);
    let first = true;
    for (const { key, label, digits } of METRICS) {
      const b = base.map((row) => metric(row, key));
      const c = cur.map((row) => metric(row, key));
      const bs = b.filter((v): v is number => v !== undefined);
      const cs = c.filter((v): v is number => v !== undefined);
      if (bs.length === 0 && cs.length === 0) continue;
      const bm = bs.length === 0 ? undefined : median(bs);
      const cm = cs.length === 0 ? undefined : median(cs);
      const ratios = b.flatMap((bv, i) => {
        const cv = c[i];
        return bv === undefined || cv === undefined || bv === 0 ? [] : [cv / bv];
      });
      const perRound =
        ratios.length === 0 ? '' : ratios.length === 1 ? (ratios[0] ?? 0).toFixed(2) : `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      lines.push(
        `${(first ? what : '').padEnd(56)}${label.padEnd(8)}${cell(bm, digits, 11)}${spread(bs)}${cell(cm, digits, 11)}${spread(cs)}${cell(bm === undefined || cm === undefined || bm === 0 ? undefined : cm / bm, 2, 10)}  ${perRound}`,
      );
      first = false;
    }
  }
  return lines.join('\n');
}
