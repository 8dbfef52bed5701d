// Entry point: `node services/dispatcher/src/main.ts`, configured by environment variables only (README).
import { runService } from '@eventyard/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({ name: 'dispatcher', loadConfig, logLevel: (config) => config.logLevel, createApp, shutdownDeadlineMs: 45_000 });
