// Webhook secret rotation with an overlap (the dispatcher signs with the new and the previous secret
// until the overlap ends, so consumers can switch without dropping deliveries), re-sealing every secret
// column under the current EY_SECRETS_KEY (after the key was set or rotated), and the start-up check that
// every sealed value opens with the configured keys.
import { assertWebhookSecret, expectedVersion as checkVersion, generateWebhookSecret } from '@eventyard/evhub';
import { isEventyardError, SecretsErrorCode, type Logger } from '@eventyard/core';
import type { Knex } from 'knex';
import { openRow, PROCESSOR_SECRET_COLUMNS, type ProcessorRecord } from './processors.ts';
import { secretAad, secretKeyringOf } from './secret-columns.ts';
import { patchVersioned } from './versioned-rows.ts';

export interface RotateSecretOptions {
  /** The new secret (`whsec_` + base64 of 24..64 bytes); omitted = generated. */
  secret?: string;
  /** How long the current secret stays valid beside the new one, ms; 0 = replaced at once. */
  overlapMs: number;
  /** Optimistic lock, as WriteOptions.expectedVersion. */
  expectedVersion?: number;
}

export interface RotatedSecret {
  record: ProcessorRecord;
  /** The new secret when it was generated (show it once); null when the caller supplied it. */
  generatedWebhookSecret: string | null;
}

/** Rotates a processor's webhook secret; undefined when the processor does not exist. */
export async function rotateProcessorSecret(knex: Knex, dispatcherId: string, options: RotateSecretOptions): Promise<RotatedSecret | undefined> {
  const secret = options.secret === undefined ? generateWebhookSecret() : assertWebhookSecret(options.secret, 'secret');
  const expectedVersion = checkVersion(options.expectedVersion);
  if (!Number.isSafeInteger(options.overlapMs) || options.overlapMs < 0) throw new RangeError('overlapMs must be a non-negative integer');
  const keyring = secretKeyringOf(knex);
  return knex.transaction(async (trx) => {
    const row = (await trx('processors').where({ dispatcher_id: dispatcherId }).forUpdate().first()) as Record<string, unknown> | undefined;
    if (row === undefined) return undefined;
    const current = openRow(row, keyring).webhook_secret;
    const keepPrevious = current !== null && options.overlapMs > 0;
    const columns: Record<string, unknown> = {
      webhook_secret: keyring.seal(secret, secretAad('processors', 'webhook_secret', dispatcherId)),
      // Re-sealed: a value opens only in the column it was sealed for.
      webhook_secret_previous: keepPrevious ? keyring.seal(current, secretAad('processors', 'webhook_secret_previous', dispatcherId)) : null,
      // The database's clock, the one the dispatchers' expiry checks are written against.
      webhook_secret_previous_expires_at: keepPrevious ? trx.raw('now() + make_interval(secs => ?)', [options.overlapMs / 1000]) : null,
    };
    const updated = await patchVersioned(trx, {
      table: 'processors',
      key: { dispatcher_id: dispatcherId },
      columns,
      expectedVersion,
      what: `processor "${dispatcherId}"`,
    });
    if (updated === undefined) return undefined;
    return { record: openRow(updated, keyring), generatedWebhookSecret: options.secret === undefined ? secret : null };
  });
}

export interface ResealResult {
  /** Processors read. */
  processors: number;
  /** Values rewritten: plaintext sealed, or sealed with a previous key re-sealed with the current one. */
  resealed: number;
}

/**
 * Seals every plaintext secret and re-seals every value sealed with a previous key under the current
 * EY_SECRETS_KEY. Row by row, each in its own transaction; `version` is not bumped (nothing a reader
 * sees changes). Without a current key it only checks that every value opens.
 */
export async function resealProcessorSecrets(knex: Knex): Promise<ResealResult> {
  const keyring = secretKeyringOf(knex);
  const ids = ((await knex('processors').orderBy('dispatcher_id').select('dispatcher_id')) as { dispatcher_id: string }[]).map((r) => r.dispatcher_id);
  let resealed = 0;
  for (const id of ids) {
    resealed += await knex.transaction(async (trx) => {
      const row = (await trx('processors').where({ dispatcher_id: id }).forUpdate().first()) as Record<string, unknown> | undefined;
      if (row === undefined) return 0;
      const opened = openRow(row, keyring);
      const columns: Record<string, string> = {};
      for (const name of PROCESSOR_SECRET_COLUMNS) {
        const stored = row[name];
        const plain = opened[name];
        if (typeof stored === 'string' && typeof plain === 'string' && keyring.needsReseal(stored)) {
          columns[name] = keyring.seal(plain, secretAad('processors', name, id));
        }
      }
      if (Object.keys(columns).length === 0) return 0;
      await trx('processors').where({ dispatcher_id: id }).update(columns);
      return Object.keys(columns).length;
    });
  }
  return { processors: ids.length, resealed };
}

/**
 * Throws the keyring's coded error (EY_SECRETS_KEY_MISSING, EY_SECRETS_KEY_UNKNOWN,
 * EY_SECRETS_DECRYPT_FAILED) for the first stored secret the connection's keys cannot open. Services
 * call it at start, so a missing or wrong key stops them there instead of failing every delivery.
 */
export async function assertProcessorSecretsReadable(knex: Knex): Promise<void> {
  const keyring = secretKeyringOf(knex);
  const rows = (await knex('processors')
    .whereNotNull('webhook_secret')
    .orWhereNotNull('webhook_secret_previous')
    .orWhereNotNull('auth_token')
    .select('dispatcher_id', ...PROCESSOR_SECRET_COLUMNS)) as Record<string, unknown>[];
  for (const row of rows) openRow(row, keyring);
}

const SECRETS_CODES: ReadonlySet<string> = new Set(Object.values(SecretsErrorCode));

/**
 * The start-up check of a service that reads processor secrets: says the keyring's warnings, then
 * throws (the service does not start) when a stored secret cannot be opened with the configured keys.
 * A database that cannot be reached yet is only logged: the service's own readiness handles that.
 */
export async function checkSecretsAtStart(knex: Knex, logger: Logger, warnings: readonly string[]): Promise<void> {
  for (const warning of warnings) logger.warn(warning);
  try {
    await assertProcessorSecretsReadable(knex);
  } catch (err) {
    if (isEventyardError(err) && SECRETS_CODES.has(err.code)) throw err;
    logger.warn({ err }, 'could not check that processor secrets open with EY_SECRETS_KEY (database unreachable?)');
  }
}
