// API keys learn the admin API's permissions: events:read, config:write, replay and keys:manage beside
// report, broadcast and admin (admin = every admin route). Until now `admin` was stored but checked
// nowhere; the admin API now checks each route against one of these. Only the CHECK constraint changes:
// existing keys keep what they had.
import type { Knex } from 'knex';

const OLD = `ARRAY['report', 'broadcast', 'admin']::text[]`;
const NEW = `ARRAY['report', 'broadcast', 'admin', 'events:read', 'config:write', 'replay', 'keys:manage']::text[]`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE api_keys DROP CONSTRAINT api_keys_permissions_check;
    ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_check CHECK (permissions <@ ${NEW});
  `);
}

export async function down(knex: Knex): Promise<void> {
  // A key holding a permission the old schema does not know cannot stay: revoke-by-delete is the only
  // answer the older code could enforce, and keeping it narrower would silently change its meaning.
  await knex.raw(`
    DELETE FROM api_keys WHERE NOT (permissions <@ ${OLD});
    ALTER TABLE api_keys DROP CONSTRAINT api_keys_permissions_check;
    ALTER TABLE api_keys ADD CONSTRAINT api_keys_permissions_check CHECK (permissions <@ ${OLD});
  `);
}
