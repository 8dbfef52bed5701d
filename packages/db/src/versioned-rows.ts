// Optimistic locking shared by the config tables: every write bumps `version`; a write that names the
// version it read fails with a ConflictError when someone else wrote in between.
import { ConflictError } from '@eventyard/core';
import type { Knex } from 'knex';
import { DbErrors } from './error-codes.ts';

export interface VersionedWrite {
  table: string;
  /** Primary-key columns and values. */
  key: Record<string, string>;
  /** Every non-key column to write (a full replace, as EvHub's POST). */
  columns: Record<string, unknown>;
  /**
   * The version the caller read. Omitted: plain upsert. 0: create only (conflict when the row exists).
   * n: update only when the stored version is still n.
   */
  expectedVersion?: number | undefined;
  /** Names the object in errors, e.g. `processor "billing"`. */
  what: string;
}

export async function writeVersioned(knex: Knex, write: VersionedWrite): Promise<Record<string, unknown>> {
  const { table, key, columns, expectedVersion } = write;
  const bump = { version: knex.raw('??.version + 1', [table]), updated_at: knex.fn.now() };
  if (expectedVersion === undefined) {
    const rows = await knex(table)
      .insert({ ...key, ...columns })
      .onConflict(Object.keys(key))
      .merge({ ...columns, ...bump })
      .returning('*');
    return first(rows, write);
  }
  if (expectedVersion === 0) {
    const rows = (await knex(table)
      .insert({ ...key, ...columns })
      .onConflict(Object.keys(key))
      .ignore()
      .returning('*')) as Record<string, unknown>[];
    if (rows.length === 0) throw await conflict(knex, write);
    return first(rows, write);
  }
  const rows = (await knex(table)
    .update({ ...columns, ...bump })
    .where({ ...key, version: expectedVersion })
    .returning('*')) as Record<string, unknown>[];
  if (rows.length === 0) throw await conflict(knex, write);
  return first(rows, write);
}

/** Deletes the row; false when it did not exist. A stale expectedVersion is a ConflictError. */
export async function deleteVersioned(knex: Knex, write: Omit<VersionedWrite, 'columns'>): Promise<boolean> {
  const query = knex(write.table).where(write.key);
  if (write.expectedVersion !== undefined) query.andWhere({ version: write.expectedVersion });
  const deleted = await query.delete();
  if (deleted > 0) return true;
  if (write.expectedVersion === undefined) return false;
  const current: unknown = await knex(write.table).where(write.key).first('version');
  if (current === undefined) return false;
  throw await conflict(knex, { ...write, columns: {} });
}

/** Applies a partial update (pause/resume, ...) with the same version rules; undefined when missing. */
export async function patchVersioned(knex: Knex, write: VersionedWrite): Promise<Record<string, unknown> | undefined> {
  const bump = { version: knex.raw('??.version + 1', [write.table]), updated_at: knex.fn.now() };
  const query = knex(write.table)
    .update({ ...write.columns, ...bump })
    .where(write.key);
  if (write.expectedVersion !== undefined) query.andWhere({ version: write.expectedVersion });
  const rows = (await query.returning('*')) as Record<string, unknown>[];
  if (rows[0] !== undefined) return rows[0];
  if (write.expectedVersion === undefined) return undefined;
  const current: unknown = await knex(write.table).where(write.key).first('version');
  if (current === undefined) return undefined;
  throw await conflict(knex, write);
}

async function conflict(knex: Knex, write: VersionedWrite): Promise<ConflictError> {
  const current = (await knex(write.table).where(write.key).first('version')) as { version: number } | undefined;
  const message =
    current === undefined
      ? `${write.what} was deleted (expected version ${write.expectedVersion})`
      : write.expectedVersion === 0
        ? `${write.what} already exists (version ${current.version})`
        : `${write.what} was changed concurrently: expected version ${write.expectedVersion}, current version ${current.version}`;
  return new ConflictError(DbErrors.EY_VERSION_CONFLICT, message, {
    context: { table: write.table, ...write.key, expectedVersion: write.expectedVersion, currentVersion: current?.version ?? null },
  });
}

function first(rows: unknown, write: VersionedWrite): Record<string, unknown> {
  const row = (rows as Record<string, unknown>[])[0];
  if (row === undefined) throw new Error(`write to ${write.table} returned no row`);
  return row;
}
