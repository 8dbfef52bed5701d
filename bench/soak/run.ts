// Soak run (issue 18, item 5): the stack at a steady rate for a long time with one flaky processor,
// printing per-process RSS, CPU and open-fd slopes, table sizes under retention and the error rate per
// interval, with verdicts. Progress goes to stderr, the table to stdout. Numbers from a shared machine
// are noisy: the slopes' tolerances are printed beside them.
//
//   node_modules/.bin/node bench/soak/run.ts [--minutes 30] [--rate 200] [--sample-s 60] [--fail-percent 10]
//                                            [--retention-s 300] [--retention-interval-s 30]
import { parseArgs } from 'node:util';
import { formatSoak, runSoak } from './soak.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    'sample-s': { type: 'string', default: '60' },
    'fail-percent': { type: 'string', default: '10' },
    'retention-s': { type: 'string', default: '300' },
    'retention-interval-s': { type: 'string', default: '30' },
  },
});

const result = await runSoak({
  durationMs: Number(values.minutes) * 60_000,
  rate: Number(values.rate),
  sampleMs: Number(values['sample-s']) * 1000,
  failPercent: Number(values['fail-percent']),
  retentionS: Number(values['retention-s']),
  retentionIntervalS: Number(values['retention-interval-s']),
  progress: (line) => process.stderr.write(`${line}\n`),
});
console.log(formatSoak(result));
const lost = Object.values(result.lost).reduce((a, b) => a + b, 0);
process.exitCode = lost > 0 || result.reportErrors > 0 ? 1 : 0;
