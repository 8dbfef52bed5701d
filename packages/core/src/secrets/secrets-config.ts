// The variables of secrets at rest, read by every service that reads or writes processor secrets (admin,
// router, dispatcher) and by `eventyard secrets reseal`.
import { field, parseEnv } from '../config.ts';
import { parseSecretKey, SecretKeyring, type SecretKey } from './secret-keyring.ts';

export const secretsEnv = {
  /** 32 bytes (base64 or hex) sealing webhook secrets and auth tokens in Postgres; unset = stored as plaintext (warned at start). */
  EY_SECRETS_KEY: field.string().optional(),
  /** Comma-separated former EY_SECRETS_KEY values, still opening rows until `eventyard secrets reseal` has run. */
  EY_SECRETS_KEY_PREVIOUS: field.string().optional(),
};

export interface SecretsConfig {
  keyring: SecretKeyring;
  /** Said once at start (no key: plaintext at rest). */
  warnings: string[];
}

/** Parses the secrets variables; throws ConfigError naming the bad variable (never its value). */
export function loadSecretsConfig(source: Record<string, string | undefined>): SecretsConfig {
  const env = parseEnv(secretsEnv, source);
  const current = env.EY_SECRETS_KEY === undefined ? undefined : parseSecretKey(env.EY_SECRETS_KEY, 'EY_SECRETS_KEY');
  const previous: SecretKey[] = (env.EY_SECRETS_KEY_PREVIOUS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => parseSecretKey(entry, `EY_SECRETS_KEY_PREVIOUS[${index}]`));
  const warnings =
    current === undefined
      ? [
          'EY_SECRETS_KEY is not set: webhook secrets and auth tokens are stored in Postgres as plaintext; set it (openssl rand -base64 32) and run `eventyard secrets reseal`',
        ]
      : [];
  return { keyring: new SecretKeyring(current, previous), warnings };
}
