// `eventyard report <app_id> <topic_id> [data]`: one EvHub Report over gRPC with the SDK's client, as an
// application would send it; prints the event_id. A refused Report (ret.code ≠ 0) or a gRPC failure ends
// with exit 1 and one line.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { EventyardError, GRPC_STATUS_NAMES } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';
import type { ReportClient } from '@eventyard/sdk';
import { globalOptions } from './admin-client.ts';
import { printJson } from './output.ts';
import { collect, parseDuration, usageError } from './cli-values.ts';

export const DEFAULT_PRODUCER_ADDR = '127.0.0.1:9000';

type ReportRequest = Parameters<ReportClient['report']>[0];

/** EvHub's EventTriggerType values this command sends. */
const TRIGGER_REAL_TIME = 1;
const TRIGGER_DELAY = 2;

interface ReportOptions {
  dataFile?: string;
  tag?: string[];
  delay?: string;
  orderingKey?: string;
  idempotencyKey?: string;
  broadcast: boolean;
  apiKey?: string;
  producerAddr: string;
  timeoutMs: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('report one event to the producer over gRPC (EvHub Report) and print its event_id')
    .argument('<app_id>')
    .argument('<topic_id>')
    .argument('[data]', 'the payload (e.g. JSON); or use --data-file')
    .option('--data-file <file>', 'read the payload from a file (- = stdin)')
    .option('--tag <tag>', 'an event tag processors filter on (repeatable)', collect)
    .option('--delay <duration>', 'deliver after this long (500ms, 5s, 2m, 1h)')
    .option('--ordering-key <key>', 'events with one key are delivered in order')
    .option('--idempotency-key <key>', 'a second Report with this key (within the window) publishes nothing and gets the first event_id')
    .option('--broadcast', 'deliver to every processor of the topic (needs a key with the broadcast permission)', false)
    .addOption(new Option('--api-key <key>', 'API key, sent as authorization: Bearer').env('EY_API_KEY'))
    .addOption(new Option('--producer-addr <host:port>', 'producer gRPC address').env('EY_PRODUCER_ADDR').default(DEFAULT_PRODUCER_ADDR))
    .option('--timeout-ms <ms>', 'deadline of the call', '10000')
    .action(async (appId: string, topicId: string, data: string | undefined, options: ReportOptions, command: Command) => {
      if (data !== undefined && options.dataFile !== undefined) throw usageError('report: give the payload as [data] or --data-file, not both');
      const payload = options.dataFile === undefined ? Buffer.from(data ?? '', 'utf8') : readPayload(options.dataFile);
      const request = buildRequest(appId, topicId, payload, options);
      const deadlineMs = parseDuration(`${options.timeoutMs}ms`, '--timeout-ms');
      // gRPC is loaded for this command only, not by every command of the CLI (nor the dev supervisor).
      const { createReportClient } = await import('@eventyard/sdk');
      const client = createReportClient({
        address: options.producerAddr,
        deadlineMs,
        ...(options.apiKey === undefined || options.apiKey === '' ? {} : { apiKey: options.apiKey }),
      });
      try {
        const answer = await client.report(request, options.broadcast ? { broadcast: true } : {}).catch((err: unknown) => {
          throw grpcFailure(err, options.producerAddr);
        });
        const code = answer.ret?.code ?? 0;
        if (code !== 0) {
          throw new EventyardError(
            CliErrors.EY_CLI_REPORT_FAILED,
            `eventyard: report refused: ${answer.ret?.msg ?? ''} (ret.code ${code}${answer.event_id === '' ? '' : `, event_id ${answer.event_id}`})`,
          );
        }
        if (globalOptions(command).output === 'json') printJson(answer);
        else process.stdout.write(`${answer.event_id}\n`);
      } finally {
        client.close();
      }
    });
}

function readPayload(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    throw usageError(`report: cannot read --data-file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function buildRequest(
  appId: string,
  topicId: string,
  payload: Buffer,
  options: Pick<ReportOptions, 'tag' | 'delay' | 'orderingKey' | 'idempotencyKey'>,
): ReportRequest {
  const delayMs = options.delay === undefined ? 0 : parseDuration(options.delay, '--delay');
  return {
    event: {
      app_id: appId,
      topic_id: topicId,
      data: payload,
      ...(options.tag === undefined ? {} : { event_comm: { event_tag: { tag_list: options.tag } } }),
    },
    trigger:
      delayMs > 0
        ? { trigger_type: TRIGGER_DELAY, delay_trigger: { delay_time: { seconds: Math.floor(delayMs / 1000), nanos: (delayMs % 1000) * 1_000_000 } } }
        : { trigger_type: TRIGGER_REAL_TIME },
    ...(options.orderingKey === undefined && options.idempotencyKey === undefined
      ? {}
      : {
          option: {
            ...(options.orderingKey === undefined ? {} : { orderingKey: options.orderingKey }),
            ...(options.idempotencyKey === undefined ? {} : { idempotent: { key: options.idempotencyKey } }),
          },
        }),
  };
}

function grpcFailure(err: unknown, address: string): EventyardError {
  const status = err as { code?: number; details?: string; message?: string };
  const name = typeof status.code === 'number' ? (GRPC_STATUS_NAMES[status.code] ?? String(status.code)) : 'error';
  if (status.code === 14 || status.code === 4) {
    return new EventyardError(
      CliErrors.EY_CLI_PRODUCER_UNREACHABLE,
      `eventyard: cannot reach the producer at ${address} (${name}: ${status.details ?? ''}); set --producer-addr or EY_PRODUCER_ADDR`,
      { cause: err },
    );
  }
  return new EventyardError(CliErrors.EY_CLI_REPORT_FAILED, `eventyard: report failed: ${status.details ?? status.message ?? String(err)} (gRPC ${name})`, {
    cause: err,
  });
}
