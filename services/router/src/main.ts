// Entry point: `node services/router/src/main.ts`, configured by environment variables only (README).
import { runService } from '@eventyard/core';
import { loadConfig } from './config.ts';

// app.ts is imported once runService started telemetry, so the pg and http instrumentations see the
// modules it loads (they patch a module as it is loaded).
await runService({
  name: 'router',
  loadConfig,
  logLevel: (config) => config.logLevel,
  createApp: async (config, deps) => (await import('./app.ts')).createApp(config, deps),
});
