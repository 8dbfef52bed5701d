// `eventyard apply -f eventyard.yaml [--dry-run]`: makes the server's producers, processors and sources
// match a file. Only the apps the file names (or lists under `app_ids`) are in scope: their processors
// and sources missing from the file are deleted, other apps' config is never read or touched. Writes carry the version read
// (0 for a create), so a change made meanwhile by someone else fails with a clean 409 instead of being
// overwritten; unchanged objects are not written at all, so their version stays.
import type { Command } from 'commander';
import { CoreErrors } from '@eventyard/core/foundation';
import { adminClientFor, AdminApiError, fetchAllPages, globalOptions, pathOf, type AdminClient } from './admin-client.ts';
import type { ConfigFile } from './config-file.ts';
import type { PlanStep, ServerRecord } from './config-plan.ts';
import { printJson } from './output.ts';

export interface ApplyOptions {
  /** Print the plan, write nothing. */
  dryRun: boolean;
  /** Producers too (apply) or processors only, never deleting (processors apply). */
  scope: 'all' | 'processors';
}

export function registerApplyCommand(program: Command): void {
  program
    .command('apply')
    .description("sync producers, processors and sources to a YAML/JSON file; deletes those of the file's apps that it does not list")
    .requiredOption('-f, --file <file>', 'eventyard.yaml (or .json)')
    .option('--dry-run', 'print what would change, write nothing', false)
    .action(async (options: { file: string; dryRun: boolean }, command: Command) => {
      await runApply(command, options.file, { dryRun: options.dryRun, scope: 'all' });
    });
}

/** Loads, plans and (unless a dry run) carries out an apply; prints the plan lines and a summary. */
export async function runApply(command: Command, file: string, options: ApplyOptions): Promise<void> {
  // The YAML parser and the EvHub validation are loaded by apply only, not by every command of the CLI.
  const [{ loadConfigFile }, { describeStep }] = await Promise.all([import('./config-file.ts'), import('./config-plan.ts')]);
  const config = loadConfigFile(file, { processorsOnly: options.scope === 'processors' });
  const client = adminClientFor(command);
  const { output } = globalOptions(command);
  const steps = await planApply(client, config, options);
  const changes = steps.filter((step) => step.action !== 'unchanged');
  // Each line is printed just before its write, so after a failure the output shows what was done.
  const generated = new Map<string, string>();
  for (const step of changes) {
    if (output === 'table') process.stdout.write(`${describeStep(step)}\n`);
    if (options.dryRun) continue;
    const secret = await carryOutStep(client, step);
    if (secret === null) continue;
    generated.set(step.id, secret);
    // The admin shows a generated secret in this one answer only.
    if (output === 'table') process.stdout.write(`  webhook_secret of processor ${step.id} (generated, shown only now): ${secret}\n`);
  }
  const count = (action: PlanStep['action']) => steps.filter((step) => step.action === action).length;
  const summary = { create: count('create'), update: count('update'), delete: count('delete'), unchanged: count('unchanged') };
  if (output === 'json') {
    printJson({
      dry_run: options.dryRun,
      file: config.path,
      app_ids: config.appIds,
      summary,
      steps: steps.map((step) => ({
        ...stepView(step),
        ...(generated.has(step.id) && step.kind === 'processor' ? { generated_webhook_secret: generated.get(step.id) } : {}),
      })),
    });
    return;
  }
  const counts = `${summary.create} to create, ${summary.update} to update, ${summary.delete} to delete, ${summary.unchanged} unchanged`;
  process.stdout.write(
    options.dryRun
      ? `dry run: ${counts}; nothing was written\n`
      : changes.length === 0
        ? `apply: nothing to change (${summary.unchanged} unchanged)\n`
        : `apply: ${summary.create} created, ${summary.update} updated, ${summary.delete} deleted, ${summary.unchanged} unchanged\n`,
  );
}

/** Reads the in-scope state from the admin and plans the steps; writes nothing. */
export async function planApply(client: AdminClient, config: ConfigFile, options: Pick<ApplyOptions, 'scope'>): Promise<PlanStep[]> {
  const processors: ServerRecord[] = [];
  for (const appId of config.appIds) processors.push(...(await fetchAllPages<ServerRecord>(client, '/v1/processors', 'processors', { app_id: appId })));
  // A processor id is global: one the file gives app "shop" may exist under another app, and must then be
  // an update (with its version) rather than a create that would fail or silently move it.
  const known = new Set(processors.map((record) => String(record.dispatcher_id)));
  for (const desired of config.processors) {
    if (known.has(desired.dispatcher_id)) continue;
    const found = await getOrUndefined<{ processor_conf_info: ServerRecord }>(client, pathOf('/v1/processor', desired.dispatcher_id));
    if (found !== undefined) processors.push(found.processor_conf_info);
  }
  const { planChanges } = await import('./config-plan.ts');
  if (options.scope === 'processors') {
    return planChanges({ processors: { desired: config.processors, current: processors, deletes: false } });
  }
  const producers: ServerRecord[] = [];
  for (const appId of config.appIds) producers.push(...(await fetchAllPages<ServerRecord>(client, '/v1/producers', 'producers', { app_id: appId })));
  const sources: ServerRecord[] = [];
  for (const appId of config.appIds) sources.push(...(await fetchAllPages<ServerRecord>(client, '/v1/sources', 'sources', { app_id: appId })));
  // A source id is global too: one the file gives may exist under another app (an update, not a create).
  const knownSources = new Set(sources.map((record) => String(record.source_id)));
  for (const desired of config.sources) {
    if (knownSources.has(desired.source_id)) continue;
    const found = await getOrUndefined<{ source: ServerRecord }>(client, pathOf('/v1/sources', desired.source_id));
    if (found !== undefined) sources.push(found.source);
  }
  return planChanges({
    producers: { desired: config.producers, current: producers, deletes: true },
    processors: { desired: config.processors, current: processors, deletes: true },
    sources: { desired: config.sources, current: sources, deletes: true },
  });
}

async function getOrUndefined<T>(client: AdminClient, path: string): Promise<T | undefined> {
  try {
    return await client.request<T>('GET', path);
  } catch (err) {
    if (err instanceof AdminApiError && err.status === 404 && err.apiCode !== CoreErrors.EY_ROUTE_NOT_FOUND.code) return undefined;
    throw err;
  }
}

/**
 * Writes one planned step with the version it was planned against (0 for a create). Returns the webhook
 * secret the admin generated for a new httpSend processor (shown in that answer only), else null.
 */
export async function carryOutStep(client: AdminClient, step: PlanStep): Promise<string | null> {
  // version 0 = create only: a create racing another one gets 409 rather than overwriting it.
  const version = step.action === 'create' ? 0 : step.version;
  if (step.action === 'delete' && step.kind === 'producer' && step.producerKey !== undefined) {
    await client.request('DELETE', pathOf('/v1/producer', step.producerKey.app_id, step.producerKey.topic_id), { query: { version } });
  } else if (step.action === 'delete' && step.kind === 'source') {
    await client.request('DELETE', pathOf('/v1/sources', step.id), { query: { version } });
  } else if (step.action === 'delete') {
    await client.request('DELETE', pathOf('/v1/processor', step.id), { query: { version } });
  } else if (step.kind === 'source') {
    await client.request('POST', '/v1/sources', { body: { ...step.desired, version } });
  } else if (step.kind === 'processor') {
    const answer = await client.request<{ signing?: { webhook_secret?: string } }>('POST', '/v1/processor', {
      body: { processor_conf_info: { ...step.desired, version } },
    });
    return answer.signing?.webhook_secret ?? null;
  } else {
    await client.request('POST', '/v1/producer', { body: { producer_conf_info: { ...step.desired, version } } });
  }
  return null;
}

function stepView(step: PlanStep): Record<string, unknown> {
  return {
    action: step.action,
    kind: step.kind,
    id: step.id,
    ...(step.version === undefined ? {} : { version: step.version }),
    ...(step.changes === undefined ? {} : { changes: step.changes }),
  };
}
