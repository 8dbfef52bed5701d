// Entry point: `node services/admin/src/main.ts`, configured by environment variables only (README).
import { runService } from '@eventyard/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';

await runService({ name: 'admin', loadConfig, logLevel: (config) => config.logLevel, createApp });
