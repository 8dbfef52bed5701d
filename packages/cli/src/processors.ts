// `eventyard processors list|get|apply|delete|pause|resume`: processor configs through the admin API.
import type { Command } from 'commander';
import { adminClientFor, fetchAllPages, globalOptions, pathOf } from './admin-client.ts';
import { runApply } from './apply.ts';
import { printResult, renderRecord, renderTable, type Column } from './output.ts';
import { parseLimit, usageError } from './cli-values.ts';

type Processor = Record<string, unknown>;

const COLUMNS: Column<Processor>[] = [
  { header: 'dispatcher_id', value: (p) => p.dispatcher_id },
  { header: 'app_id', value: (p) => p.app_id },
  { header: 'topic_id', value: (p) => p.topic_id },
  { header: 'protocol', value: (p) => p.protocol_type },
  { header: 'addr', value: (p) => p.addr },
  { header: 'state', value: (p) => (p.is_stop === true ? 'stopped' : p.paused === true ? 'paused' : 'active') },
  { header: 'version', value: (p) => p.version },
];

export function registerProcessorCommands(program: Command): void {
  const processors = program.command('processors').description('processor configs: list, get, apply, delete, pause, resume');

  processors
    .command('list')
    .description('list processors (every page unless --limit)')
    .option('--app-id <app_id>', 'only this app')
    .option('--topic-id <topic_id>', 'only this topic')
    .option('--limit <n>', 'one page of at most n processors')
    .action(async (options: { appId?: string; topicId?: string; limit?: string }, command: Command) => {
      const client = adminClientFor(command);
      const query = { app_id: options.appId, topic_id: options.topicId };
      const answer =
        options.limit === undefined
          ? { ret: { code: 0, msg: 'success' }, processors: await fetchAllPages<Processor>(client, '/v1/processors', 'processors', query), next_cursor: null }
          : await client.request<{ processors: Processor[] }>('GET', '/v1/processors', { query: { ...query, limit: parseLimit(options.limit, '--limit') } });
      printResult(globalOptions(command).output, answer, () => renderTable(COLUMNS, answer.processors));
    });

  processors
    .command('get')
    .description('show one processor (secrets show as [redacted])')
    .argument('<dispatcher_id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      const answer = await adminClientFor(command).request<{ processor_conf_info: Processor }>('GET', pathOf('/v1/processor', id));
      printResult(globalOptions(command).output, answer, () => renderRecord(answer.processor_conf_info));
    });

  processors
    .command('apply')
    .description('create or update the processors of a YAML/JSON file (never deletes)')
    .requiredOption('-f, --file <file>', 'a file with a processors list, a list, or one processor')
    .option('--dry-run', 'print what would change, write nothing', false)
    .action(async (options: { file: string; dryRun: boolean }, command: Command) => {
      await runApply(command, options.file, { dryRun: options.dryRun, scope: 'processors' });
    });

  processors
    .command('delete')
    .description('delete a processor')
    .argument('<dispatcher_id>')
    .option('--version <n>', 'only if still at this version (409 otherwise)')
    .action(async (id: string, options: { version?: string }, command: Command) => {
      const answer = await adminClientFor(command).request('DELETE', pathOf('/v1/processor', id), { query: { version: options.version } });
      printResult(globalOptions(command).output, answer, () => `deleted processor ${id}\n`);
    });

  processors
    .command('rotate-secret')
    .description('rotate the webhook secret; the old one stays valid beside the new one for the overlap')
    .argument('<dispatcher_id>')
    .option('--secret <whsec>', 'the new secret (whsec_ + base64 of 24..64 bytes); default: generated and printed once')
    .option('--overlap-s <seconds>', "how long the old secret stays valid (default: the admin's EY_SECRET_ROTATION_OVERLAP_S)")
    .action(async (id: string, options: { secret?: string; overlapS?: string }, command: Command) => {
      const body: Record<string, unknown> = {};
      if (options.secret !== undefined) body.secret = options.secret;
      if (options.overlapS !== undefined) {
        if (!/^\d+$/.test(options.overlapS)) throw usageError(`--overlap-s must be a whole number of seconds, got "${options.overlapS}"`);
        body.overlap_s = Number(options.overlapS);
      }
      const answer = await adminClientFor(command).request<{ signing: { webhook_secret?: string; fingerprint: string; previous_expires_at: string | null } }>(
        'POST',
        `${pathOf('/v1/processors', id)}/secret/rotate`,
        { body },
      );
      printResult(globalOptions(command).output, answer, () => {
        const { signing } = answer;
        const lines = [`rotated the webhook secret of processor ${id} (now ${signing.fingerprint})`];
        if (signing.webhook_secret !== undefined) lines.push(`webhook_secret (generated, shown only now): ${signing.webhook_secret}`);
        lines.push(
          signing.previous_expires_at === null
            ? 'the previous secret is no longer signed with'
            : `the previous secret is also signed with until ${signing.previous_expires_at}`,
        );
        return `${lines.join('\n')}\n`;
      });
    });

  for (const verb of ['pause', 'resume'] as const) {
    processors
      .command(verb)
      .description(verb === 'pause' ? 'hold dispatch; deliveries wait in the delivery topic' : 'resume dispatch of a paused processor')
      .argument('<dispatcher_id>')
      .action(async (id: string, _options: unknown, command: Command) => {
        const answer = await adminClientFor(command).request<{ processor_conf_info: Processor }>('POST', `${pathOf('/v1/processors', id)}/${verb}`);
        printResult(
          globalOptions(command).output,
          answer,
          () => `${verb === 'pause' ? 'paused' : 'resumed'} processor ${id} (version ${String(answer.processor_conf_info.version)})\n`,
        );
      });
  }
}
