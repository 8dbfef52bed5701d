// How `eventyard dev` shows logs. Every process of the stack writes pino's JSON lines (one object a
// line: what CI, pipes, containers and log shippers read); on a terminal a person reads them, so dev
// pretty-prints its own lines and the lines it forwards from its children with pino-pretty (the pino
// project's own formatter: levels, times, errors with their stacks, colours when the terminal has them).
// The children themselves never change format: only what reaches the terminal does.
import { createRequire } from 'node:module';
import type { prettyFactory as PrettyFactory } from 'pino-pretty';
import { EventyardError, type LoggerOptions } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * --log-format wins, then EY_LOG_FORMAT, then the output itself: pretty on a terminal, JSON anywhere
 * else (CI, a pipe, a container's log).
 */
export function resolveLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): LogFormat {
  for (const [source, value] of [
    ['--log-format', flag],
    ['EY_LOG_FORMAT', env.EY_LOG_FORMAT],
  ] as const) {
    if (value === undefined || value === '') continue;
    if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
    throw new EventyardError(CliErrors.EY_CLI_USAGE, `${source}: "${value}" is not a log format (expected ${LOG_FORMATS.join(' or ')})`);
  }
  return stdoutIsTTY ? 'pretty' : 'json';
}

/**
 * Turns one output line into what is printed: the line itself for 'json'; for 'pretty', a pino JSON
 * line becomes pino-pretty's text (possibly several lines: an error's stack) and anything else (a
 * child's stray stderr text) stays as it is.
 */
export function lineFormatter(format: LogFormat, options: { colorize?: boolean } = {}): (line: string) => string {
  if (format === 'json') return (line) => line;
  // Required only when pretty printing (a CommonJS package, so synchronously): with JSON logs the dev
  // supervisor never loads the formatter.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof PrettyFactory };
  const pretty = prettyFactory({
    colorize: options.colorize ?? false,
    // The supervisor's prefix already names the process; the time of day is enough on a laptop.
    ignore: 'service',
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
  });
  return (line) => {
    if (!line.startsWith('{')) return line;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return line;
    }
    if (typeof record !== 'object' || record === null || !('level' in record)) return line;
    return pretty(record).replace(/\r?\n$/, '');
  };
}

/** Colours only where the terminal shows them (NO_COLOR and FORCE_COLOR respected by Node). */
export function stdoutHasColors(): boolean {
  return process.stdout.isTTY && process.stdout.hasColors();
}

/**
 * A pino destination writing to stdout synchronously (as createLogger's default does, so a shutdown's
 * last lines keep their order), each line formatted and led by `prefix` like the children's lines.
 */
export function formattedStdout(format: (line: string) => string, prefix: string): NonNullable<LoggerOptions['destination']> {
  return {
    write(chunk: string) {
      const text = chunk.replace(/\n$/, '');
      process.stdout.write(
        `${format(text)
          .split('\n')
          .map((line) => `${prefix}${line}`)
          .join('\n')}\n`,
      );
    },
  };
}
