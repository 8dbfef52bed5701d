// `eventyard config check`: parses the environment as every service would and reports each bad variable.
import type { Command } from 'commander';
import { loadCoreConfig } from '@eventyard/core/foundation';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('check the EY_* environment variables')
    .command('check')
    .description('parse the environment; print one line per bad variable and exit 1 if any')
    .action(() => {
      const config = loadCoreConfig(process.env);
      process.stdout.write(`config: ok (kafka ${config.kafka.brokers.join(',')}, postgres ${config.databaseUrl === undefined ? 'embedded' : 'external'})\n`);
    });
}
