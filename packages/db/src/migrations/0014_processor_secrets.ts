// Signing-secret rotation and secrets at rest. A rotated webhook secret stays valid until
// `webhook_secret_previous_expires_at` (the dispatcher signs with both until then). `webhook_secret`,
// `webhook_secret_previous` and `auth_token` now hold either plaintext (no EY_SECRETS_KEY, or rows
// written before it was set) or a sealed `eyenc:v1:<key id>:…` value (AES-256-GCM, @eventyard/core's
// SecretKeyring). Existing plaintext is not touched here: migrations run without the services' key
// (a Helm hook Job, `eventyard migrate`), so sealing is `eventyard secrets reseal`'s job, which also
// re-seals rows after EY_SECRETS_KEY is rotated. Readers accept both forms meanwhile.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE processors
      ADD COLUMN webhook_secret_previous text NULL,
      ADD COLUMN webhook_secret_previous_expires_at timestamptz NULL,
      ADD CONSTRAINT processors_previous_secret_expiry CHECK ((webhook_secret_previous IS NULL) = (webhook_secret_previous_expires_at IS NULL));
    COMMENT ON COLUMN processors.webhook_secret IS 'Standard Webhooks secret: plaintext whsec_… or sealed eyenc:v1:<key id>:… (EY_SECRETS_KEY)';
    COMMENT ON COLUMN processors.auth_token IS 'bearer token sent to the consumer: plaintext or sealed eyenc:v1:<key id>:…';
    COMMENT ON COLUMN processors.webhook_secret_previous IS 'the secret before the last rotation, still signed with until webhook_secret_previous_expires_at; plaintext or sealed';
  `);
}

export async function down(knex: Knex): Promise<void> {
  // Sealed values stay sealed: the older code would send them as the secret, so they are cleared
  // (a processor then signs with nothing until its secret is set again).
  await knex.raw(`
    ALTER TABLE processors DROP CONSTRAINT processors_previous_secret_expiry,
      DROP COLUMN webhook_secret_previous_expires_at, DROP COLUMN webhook_secret_previous;
    UPDATE processors SET webhook_secret = NULL WHERE webhook_secret LIKE 'eyenc:%';
    UPDATE processors SET auth_token = NULL WHERE auth_token LIKE 'eyenc:%';
  `);
}
