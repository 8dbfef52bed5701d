#!/usr/bin/env node
// The `eventyard` command: one entry point for the local stack (`dev`), the broker, migrations and
// config checks. Errors end the process with a one-line message and exit code 1, never a stack dump.
import { Command, CommanderError } from 'commander';
import { isEventyardError } from '@eventyard/core';
import { registerConfigCommand } from './config-check.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerDevCommand } from './dev.ts';
import { registerBrokerCommand } from './broker.ts';

const program = new Command('eventyard').description('Kafka-native event router speaking the EvHub contract').exitOverride();
registerDevCommand(program);
registerBrokerCommand(program);
registerMigrateCommand(program);
registerConfigCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`${isEventyardError(err) ? err.message : `eventyard: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(1);
}
