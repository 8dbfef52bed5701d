// `processors.tls` and `producers.tls`: how the dispatcher dials a processor, and the delay-scheduler a
// producer's check-back (tx_address), over TLS, as paths of files mounted from Secrets ({ca_file,
// cert_file, key_file, server_name}); never certificate or key content, which stays out of the database.
// NULL = plaintext gRPC / the URL's scheme, as every existing row was dialled. Adding a nullable column
// without a default rewrites no table.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE processors ADD COLUMN tls jsonb NULL;
    COMMENT ON COLUMN processors.tls IS 'TLS towards the processor: {ca_file, cert_file, key_file, server_name}, paths of mounted files (no key material); NULL = no TLS settings';
    ALTER TABLE producers ADD COLUMN tls jsonb NULL;
    COMMENT ON COLUMN producers.tls IS 'TLS towards the check-back tx_address, as processors.tls; NULL = no TLS settings';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE processors DROP COLUMN tls; ALTER TABLE producers DROP COLUMN tls');
}
