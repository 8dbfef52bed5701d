#!/usr/bin/env node
// The `eventyard` command: one entry point for the local stack (`dev`), single services, the broker,
// migrations, config checks, and the admin API (processors, sources, events, replay, keys, apply) plus Report.
// Errors end the process with a one-line message and exit code 1, never a stack dump.
import { Command, CommanderError } from 'commander';
import { isEventyardError } from '@eventyard/core/foundation';
import { registerConfigCommand } from './config-check.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerSecretsCommand } from './secrets.ts';
import { registerDevCommand } from './dev.ts';
import { registerBrokerCommand } from './broker.ts';
import { addGlobalOptions } from './admin-client.ts';
import { registerServiceCommand } from './service.ts';
import { registerReportCommand } from './report.ts';
import { registerEventCommands } from './events.ts';
import { registerProcessorCommands } from './processors.ts';
import { registerReplayCommands } from './replay.ts';
import { registerKeyCommands } from './keys.ts';
import { registerApplyCommand } from './apply.ts';
import { registerSourceCommands } from './sources.ts';

const program = new Command('eventyard').description('Kafka-native event router speaking the EvHub contract').exitOverride();
addGlobalOptions(program);
registerDevCommand(program);
registerServiceCommand(program);
registerBrokerCommand(program);
registerMigrateCommand(program);
registerSecretsCommand(program);
registerConfigCommand(program);
registerReportCommand(program);
registerEventCommands(program);
registerProcessorCommands(program);
registerReplayCommands(program);
registerKeyCommands(program);
registerApplyCommand(program);
registerSourceCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`${isEventyardError(err) ? err.message : `eventyard: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
}
