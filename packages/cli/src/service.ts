// `eventyard service <name>`: one Eventyard service in the foreground, configured by its EY_* variables
// exactly as in production (`node services/<name>/src/main.ts`). Its main module is loaded into this
// process, so signals, logs and the exit code are the service's own.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT, SERVICES } from './stack.ts';
import { usageError } from './cli-values.ts';

export function registerServiceCommand(program: Command): void {
  const names = SERVICES.map((service) => service.name);
  program
    .command('service')
    .description(`run one service in the foreground (${names.join('|')}), configured by EY_* variables`)
    .argument('<name>', names.join(', '))
    .action(async (name: string) => {
      const service = SERVICES.find((candidate) => candidate.name === name);
      if (service === undefined) throw usageError(`service: unknown service "${name}" (expected one of ${names.join(', ')})`);
      await import(pathToFileURL(join(REPO_ROOT, service.entry)).href);
    });
}
