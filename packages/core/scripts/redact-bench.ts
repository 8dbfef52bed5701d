// What redacting secrets at any depth costs per log line: the same typical lines (a delivery failure with
// nested context, a request line with headers) logged through createLogger, which walks every object, and
// through a pino logger with only the path-based redaction it had before, both into a sink that drops the
// bytes. Prints µs per line for each and the difference. `node packages/core/scripts/redact-bench.ts [--lines 200000]`
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createLogger, REDACT_PATHS } from '../src/index.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '200000' } } });
const lines = Number(values.lines);

const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

const delivery = {
  dispatcher_id: 'billing',
  topic: 'eventyard.deliveries.billing',
  partition: 3,
  offset: '812734',
  event_id: '7265188839247151104',
  attempt: { n: 2, status: 503, elapsed_ms: 41, target: { kind: 'webhook', url: 'https://billing.internal/hook' } },
};
const request = { method: 'POST', url: '/v1/processor', headers: { 'content-type': 'application/json', 'user-agent': 'curl/8' }, status: 200 };

function run(name: string, log: pino.Logger): number {
  for (let i = 0; i < 10_000; i++) log.info(delivery, 'warm-up');
  const started = process.hrtime.bigint();
  for (let i = 0; i < lines; i++) log.warn(i % 2 === 0 ? delivery : request, 'delivery failed');
  const us = Number(process.hrtime.bigint() - started) / 1000 / lines;
  console.log(`${name.padEnd(34)} ${us.toFixed(3)} µs/line`);
  return us;
}

// The same options createLogger sets, minus the walk.
const pathsOnly = pino(
  {
    base: { service: 'bench' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  sink(),
);
const before = run('paths only (pino redact)', pathsOnly);
const after = run('paths + any-depth walk (createLogger)', createLogger({ name: 'bench', destination: sink() }));
console.log(`walk adds ${(after - before).toFixed(3)} µs/line (${(((after - before) / before) * 100).toFixed(0)}%)`);
