// Secrets at rest from the command line: `eventyard secrets reseal` seals plaintext processor secrets and
// re-seals those sealed with a previous key under EY_SECRETS_KEY (run it after setting or rotating the
// key, then drop the old key from EY_SECRETS_KEY_PREVIOUS), and the per-data-dir key `eventyard dev` uses.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, CoreErrors, generateSecretKey, loadCoreConfig, loadSecretsConfig } from '@eventyard/core/foundation';

export function registerSecretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('processor secrets at rest (EY_SECRETS_KEY)');
  secrets
    .command('reseal')
    .description('seal plaintext secrets and re-seal those of EY_SECRETS_KEY_PREVIOUS keys with EY_SECRETS_KEY, on EY_DATABASE_URL')
    .action(async () => {
      const config = loadCoreConfig(process.env);
      if (config.databaseUrl === undefined) throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'config: EY_DATABASE_URL: required');
      const { keyring } = loadSecretsConfig(process.env);
      if (keyring.current === undefined) throw new ConfigError(CoreErrors.EY_CONFIG_INVALID, 'config: EY_SECRETS_KEY: required (the key to seal with)');
      // Loaded only for this command: devSecretsKey (used by the dev supervisor) needs no database library.
      const { createKnex, resealProcessorSecrets } = await import('@eventyard/db');
      const knex = createKnex(config.databaseUrl, { secrets: keyring });
      try {
        const result = await resealProcessorSecrets(knex);
        process.stdout.write(`secrets reseal: ${result.resealed} values sealed with key ${keyring.current.id} (${result.processors} processors read)\n`);
      } finally {
        await knex.destroy();
      }
    });
}

/**
 * The EY_SECRETS_KEY of a dev data dir: read from `<dataDir>/secrets.key`, created (0600) on first use,
 * so secrets sealed in one `eventyard dev` run open in the next.
 */
export async function devSecretsKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'secrets.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = generateSecretKey();
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return key;
}
