// `eventyard keys create|list|revoke`: API keys for Report (and the admin API). The secret exists only in
// the create answer: it is printed once and cannot be shown again.
import type { Command } from 'commander';
import { adminClientFor, globalOptions, pathOf } from './admin-client.ts';
import { printResult, renderTable, type Column } from './output.ts';
import { collect, parseFutureTime, usageError } from './cli-values.ts';

type ApiKey = Record<string, unknown>;

const PERMISSIONS = ['report', 'broadcast', 'admin', 'events:read', 'config:write', 'replay', 'keys:manage'];

const COLUMNS: Column<ApiKey>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'app_ids', value: (k) => k.app_ids },
  { header: 'permissions', value: (k) => k.permissions },
  { header: 'created_at', value: (k) => k.created_at },
  { header: 'expires_at', value: (k) => k.expires_at },
  { header: 'revoked_at', value: (k) => k.revoked_at },
  { header: 'last_used_at', value: (k) => k.last_used_at },
];

interface CreateOptions {
  appId: string[];
  permission?: string[];
  name?: string;
  expiresAt?: string;
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('API keys: create (the secret is shown once), list, revoke');

  keys
    .command('create')
    .description('create an API key and print its secret (shown only now)')
    .requiredOption('--app-id <app_id>', 'an app the key may report to (repeatable; * = every app)', collect)
    .option('--permission <permission>', `${PERMISSIONS.join('|')} (repeatable; default report)`, collect)
    .option('--name <name>', 'a label for people')
    .option('--expires-at <time>', 'ISO 8601 time (or a duration from now, such as 90d) after which the key stops working')
    .action(async (options: CreateOptions, command: Command) => {
      for (const permission of options.permission ?? []) {
        if (!PERMISSIONS.includes(permission)) throw usageError(`--permission must be one of ${PERMISSIONS.join(', ')}, got "${permission}"`);
      }
      const expiresAt = options.expiresAt === undefined ? undefined : parseFutureTime(options.expiresAt, '--expires-at');
      const answer = await adminClientFor(command).request<{ api_key: ApiKey; secret: string }>('POST', '/v1/api-keys', {
        body: {
          app_ids: options.appId,
          ...(options.permission === undefined ? {} : { permissions: options.permission }),
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
        },
      });
      printResult(
        globalOptions(command).output,
        answer,
        () => `${renderTable(COLUMNS.slice(0, 5), [answer.api_key])}\nsecret: ${answer.secret}\n(store it now: it is not shown again)\n`,
      );
    });

  keys
    .command('list')
    .description('list API keys (never their secrets), revoked ones included unless --active')
    .option('--active', 'leave out revoked keys', false)
    .action(async (options: { active: boolean }, command: Command) => {
      const answer = await adminClientFor(command).request<{ api_keys: ApiKey[] }>('GET', '/v1/api-keys', {
        query: options.active ? { include_revoked: 'false' } : {},
      });
      printResult(globalOptions(command).output, answer, () => renderTable(COLUMNS, answer.api_keys));
    });

  keys
    .command('revoke')
    .description('revoke an API key: Reports with it are refused from now on')
    .argument('<id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      const answer = await adminClientFor(command).request('DELETE', pathOf('/v1/api-keys', id));
      printResult(globalOptions(command).output, answer, () => `revoked key ${id}\n`);
    });
}
