// A half-event can be a broadcast: Prepare carries the `eventyard-broadcast` flag as Report does, and
// the publication (Commit, or a check-back that answers commit) must carry it too, so it is stored with
// the transaction. The default keeps every existing transaction what it was (not a broadcast), and
// adding a column with a constant default rewrites no table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE transactions ADD COLUMN broadcast boolean NOT NULL DEFAULT false;
    COMMENT ON COLUMN transactions.broadcast IS 'Prepare was an authorised broadcast: the committed event reaches every active processor of the topic';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE transactions DROP COLUMN broadcast');
}
