// `eventyard sources list|get|apply|delete|pause|resume`: Kafka topics read as sources, through the admin API.
import type { Command } from 'commander';
import { adminClientFor, fetchAllPages, globalOptions, pathOf } from './admin-client.ts';
import { carryOutStep, planApply } from './apply.ts';
import { printJson, printResult, renderRecord, renderTable, type Column } from './output.ts';
import { parseLimit } from './cli-values.ts';

type Source = Record<string, unknown>;

const COLUMNS: Column<Source>[] = [
  { header: 'source_id', value: (s) => s.source_id },
  { header: 'topic', value: (s) => s.topic },
  { header: 'cluster', value: (s) => ((s.cluster as { brokers?: string[] } | null)?.brokers ?? ['(own)']).join(',') },
  { header: 'app_id', value: (s) => s.app_id },
  { header: 'topic_id', value: (s) => s.topic_id },
  { header: 'state', value: (s) => (s.paused === true ? 'paused' : 'active') },
  { header: 'version', value: (s) => s.version },
];

export function registerSourceCommands(program: Command): void {
  const sources = program.command('sources').description('Kafka topics read as sources: list, get, apply, delete, pause, resume');

  sources
    .command('list')
    .description('list sources (every page unless --limit)')
    .option('--app-id <app_id>', 'only this app')
    .option('--limit <n>', 'one page of at most n sources')
    .action(async (options: { appId?: string; limit?: string }, command: Command) => {
      const client = adminClientFor(command);
      const query = { app_id: options.appId };
      const answer =
        options.limit === undefined
          ? { ret: { code: 0, msg: 'success' }, sources: await fetchAllPages<Source>(client, '/v1/sources', 'sources', query), next_cursor: null }
          : await client.request<{ sources: Source[] }>('GET', '/v1/sources', { query: { ...query, limit: parseLimit(options.limit, '--limit') } });
      printResult(globalOptions(command).output, answer, () => renderTable(COLUMNS, answer.sources));
    });

  sources
    .command('get')
    .description('show one source')
    .argument('<source_id>')
    .action(async (id: string, _options: unknown, command: Command) => {
      const answer = await adminClientFor(command).request<{ source: Source }>('GET', pathOf('/v1/sources', id));
      printResult(globalOptions(command).output, answer, () => renderRecord(answer.source));
    });

  sources
    .command('apply')
    .description('create or update the sources of a YAML/JSON file (never deletes; `eventyard apply` syncs everything)')
    .requiredOption('-f, --file <file>', 'a file with a sources list')
    .option('--dry-run', 'print what would change, write nothing', false)
    .action(async (options: { file: string; dryRun: boolean }, command: Command) => {
      // Loaded when the command runs: the config schemas pull @eventyard/evhub (valibot, kafkajs, …), which
      // `eventyard dev` and the other commands must not load (test/dev-imports.test.ts).
      const [{ loadConfigFile }, { describeStep, planChanges }] = await Promise.all([import('./config-file.ts'), import('./config-plan.ts')]);
      const config = loadConfigFile(options.file);
      const client = adminClientFor(command);
      const { output } = globalOptions(command);
      // The full plan reads the server's sources (by app and by id); only its source steps, deletes left out.
      const current = (await planApply(client, { ...config, producers: [], processors: [] }, { scope: 'all' })).filter((step) => step.kind === 'source');
      const steps = planChanges({ sources: { desired: config.sources, current: [], deletes: false } }).map(
        (step) => current.find((c) => c.id === step.id) ?? step,
      );
      for (const step of steps) {
        if (output === 'table') process.stdout.write(`${describeStep(step)}\n`);
        if (!options.dryRun && step.action !== 'unchanged') await carryOutStep(client, step);
      }
      if (output === 'json')
        printJson({
          dry_run: options.dryRun,
          steps: steps.map((step) => ({ action: step.action, kind: step.kind, id: step.id, ...(step.changes === undefined ? {} : { changes: step.changes }) })),
        });
    });

  sources
    .command('delete')
    .description('delete a source (its consumer group keeps its offsets in Kafka)')
    .argument('<source_id>')
    .option('--version <n>', 'only if still at this version (409 otherwise)')
    .action(async (id: string, options: { version?: string }, command: Command) => {
      const answer = await adminClientFor(command).request('DELETE', pathOf('/v1/sources', id), { query: { version: options.version } });
      printResult(globalOptions(command).output, answer, () => `deleted source ${id}\n`);
    });

  for (const verb of ['pause', 'resume'] as const) {
    sources
      .command(verb)
      .description(verb === 'pause' ? 'stop reading; records wait in the topic' : 'resume reading a paused source from its committed offsets')
      .argument('<source_id>')
      .action(async (id: string, _options: unknown, command: Command) => {
        const answer = await adminClientFor(command).request<{ source: Source }>('POST', `${pathOf('/v1/sources', id)}/${verb}`);
        printResult(
          globalOptions(command).output,
          answer,
          () => `${verb === 'pause' ? 'paused' : 'resumed'} source ${id} (version ${String(answer.source.version)})\n`,
        );
      });
  }
}
