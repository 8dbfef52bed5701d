// Sizes and tuple counts of the history tables from pg_stat_user_tables and pg_relation_size: what
// retention must keep bounded (heap, indexes, dead tuples) and whether autovacuum ran in between.
import type { Knex } from '@eventyard/db';

export const HISTORY_TABLES = ['events', 'deliveries', 'delivery_attempts'] as const;

export interface TableStats {
  table: string;
  live: number;
  dead: number;
  heapBytes: number;
  indexBytes: number;
  autovacuums: number;
  autoanalyzes: number;
}

export async function tableStats(knex: Knex): Promise<TableStats[]> {
  // Counters of pg_stat_* are flushed by backends at most once a second or at transaction end.
  await knex.raw('SELECT pg_stat_force_next_flush()');
  const { rows } = await knex.raw<{ rows: Array<Record<string, string>> }>(
    `SELECT relname, n_live_tup, n_dead_tup, pg_relation_size(relid) AS heap, pg_indexes_size(relid) AS idx,
            autovacuum_count, autoanalyze_count
       FROM pg_stat_user_tables WHERE relname = ANY(?) ORDER BY array_position(?, relname::text)`,
    [HISTORY_TABLES as unknown as string[], HISTORY_TABLES as unknown as string[]],
  );
  return rows.map((r) => ({
    table: String(r.relname),
    live: Number(r.n_live_tup),
    dead: Number(r.n_dead_tup),
    heapBytes: Number(r.heap),
    indexBytes: Number(r.idx),
    autovacuums: Number(r.autovacuum_count),
    autoanalyzes: Number(r.autoanalyze_count),
  }));
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)}`;

export function formatStats(label: string, stats: readonly TableStats[]): string {
  const lines = [
    `-- ${label}`,
    `   ${'table'.padEnd(18)} ${'live'.padStart(10)} ${'dead'.padStart(9)} ${'heap MB'.padStart(8)} ${'index MB'.padStart(9)} ${'autovac'.padStart(7)}`,
  ];
  for (const s of stats) {
    lines.push(
      `   ${s.table.padEnd(18)} ${String(s.live).padStart(10)} ${String(s.dead).padStart(9)} ${mb(s.heapBytes).padStart(8)} ${mb(s.indexBytes).padStart(9)} ${String(s.autovacuums).padStart(7)}`,
    );
  }
  const total = stats.reduce((acc, s) => acc + s.heapBytes + s.indexBytes, 0);
  lines.push(
    `   ${'total'.padEnd(18)} ${String(stats.reduce((a, s) => a + s.live, 0)).padStart(10)} ${String(stats.reduce((a, s) => a + s.dead, 0)).padStart(9)} ${mb(stats.reduce((a, s) => a + s.heapBytes, 0)).padStart(8)} ${mb(stats.reduce((a, s) => a + s.indexBytes, 0)).padStart(9)}   (${mb(total)} MB)`,
  );
  return lines.join('\n');
}
