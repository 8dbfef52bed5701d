// Entry point: `node services/delay-scheduler/src/main.ts`, configured by environment variables only (README).
import { runService } from '@eventyard/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({ name: 'delay-scheduler', loadConfig, logLevel: (config) => config.logLevel, createApp });
