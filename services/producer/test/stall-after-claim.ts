// A producer process for end-to-end crash tests (test/e2e/idempotency-crash.test.ts): the service as
// main.ts runs it, plus the test-only afterClaim fault point. A Report that claims an idempotency key
// announces it on stderr (`fault after-claim <event_id>`) and never reaches the publisher, so the test
// can SIGKILL the process between the claim and the broker's acknowledgement.
import { runService } from '@eventyard/core';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

await runService({
  name: 'producer',
  loadConfig,
  logLevel: (config) => config.logLevel,
  createApp: (config, deps) =>
    createApp(config, {
      ...deps,
      faults: {
        afterClaim: async (claim) => {
          process.stderr.write(`fault after-claim ${claim.event_id}\n`);
          // Held until the process is killed.
          await new Promise<never>(() => undefined);
        },
      },
    }),
});
