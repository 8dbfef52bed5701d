// The large bad-input campaign (issue #14 item 8): >= 10,000 generated cases against a fresh stack, then
// the table of outcomes per target. `--index` replays single cases of a seed and prints each one.
//   node bench/fuzz/run.ts [--seed 1] [--count 10000] [--concurrency 8] [--index 17,4031] [--logs]
import { parseArgs } from 'node:util';
import { formatReport, runCampaign, startFuzzStack } from '../../test/fuzz/campaign.ts';
import type { FuzzCase } from '../../test/fuzz/cases.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '8' },
    index: { type: 'string' },
    logs: { type: 'boolean', default: false },
  },
});

function describe(c: FuzzCase): string {
  const preview = (b: Buffer | undefined): string =>
    b === undefined ? '(none)' : `${b.length} bytes: ${b.subarray(0, 160).toString('hex')}${b.length > 160 ? '…' : ''}`;
  if (c.target === 'grpc')
    return `grpc ${c.method} [${c.generator}] metadata=${JSON.stringify(c.metadata)} body ${preview(c.body)}${c.prepareFirst ? ` (after Prepare ${preview(c.prepareFirst.prepare)})` : ''}`;
  if (c.target === 'kafka') return `kafka [${c.generator}] ${preview(c.bytes)}`;
  return `${c.target} ${c.method} ${c.path.slice(0, 200)} [${c.generator}] headers=${JSON.stringify(c.headers)} body ${c.body === undefined ? '(none)' : JSON.stringify(c.body.subarray(0, 300).toString('utf8'))}`;
}

const cleanups: Array<() => unknown> = [];
const stack = await startFuzzStack({ after: (fn: () => unknown) => void cleanups.push(fn) });
try {
  const seed = Number(values.seed);
  const indexes = values.index?.split(',').map(Number);
  let done = 0;
  const result = await runCampaign(stack, {
    seed,
    count: Number(values.count),
    concurrency: Number(values.concurrency),
    ...(indexes === undefined ? {} : { indexes }),
    onCase: (c, r) => {
      done++;
      if (indexes !== undefined)
        console.log(`case ${c.index}: ${describe(c)}\n  → ${r.outcome}${r.detail === undefined ? '' : ` (${r.detail.slice(0, 300)})`}`);
      else if (done % 1000 === 0) console.error(`${done} cases…`);
    },
  });
  console.log(formatReport(result));
  if (values.logs) {
    for (const service of ['producer', 'router', 'dispatcher', 'delay-scheduler', 'admin'] as const)
      console.log(`--- ${service} (warn and above)\n${stack.logs(service).slice(-20_000)}`);
  }
  process.exitCode = result.failures.length > 0 || result.deaths.length > 0 || result.missing.length > 0 ? 1 : 0;
} finally {
  for (const cleanup of cleanups) await cleanup();
}
