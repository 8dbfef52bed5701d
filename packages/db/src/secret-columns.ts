// Which SecretKeyring seals and opens the secret columns of one database connection. The keyring belongs
// to the connection (createKnex's `secrets` option), so every repository call on it (and on transactions
// opened from it, which share its client) seals and opens alike, and no caller can forget to pass it.
import { SecretKeyring } from '@eventyard/core';
import type { Knex } from 'knex';

const keyrings = new WeakMap<object, SecretKeyring>();
/** No key: values are written as plaintext, sealed ones cannot be read (EY_SECRETS_KEY_MISSING). */
const NO_KEY = new SecretKeyring(undefined);

/** Sets the keyring of `knex`'s connection pool (createKnex does it from its `secrets` option). */
export function useSecretKeyring(knex: Knex, keyring: SecretKeyring): void {
  keyrings.set(knex.client as object, keyring);
}

/** The keyring of `knex`'s connection pool (or transaction). */
export function secretKeyringOf(knex: Knex): SecretKeyring {
  return keyrings.get(knex.client as object) ?? NO_KEY;
}

/** The additional data a secret column's values are sealed with: a value opens only where it was written. */
export function secretAad(table: string, column: string, rowKey: string): string {
  return `${table}.${column}:${rowKey}`;
}
