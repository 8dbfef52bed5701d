// How `eventyard dev` chooses and prints log lines: pretty on a terminal, JSON elsewhere, either forced
// by --log-format or EY_LOG_FORMAT; pino's JSON lines through pino-pretty, anything else untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, isEventyardError } from '@eventyard/core';
import { lineFormatter, resolveLogFormat } from '../src/log-format.ts';

test('the flag wins, then EY_LOG_FORMAT, then whether stdout is a terminal', () => {
  assert.equal(resolveLogFormat(undefined, {}, true), 'pretty');
  assert.equal(resolveLogFormat(undefined, {}, false), 'json');
  assert.equal(resolveLogFormat(undefined, { EY_LOG_FORMAT: 'pretty' }, false), 'pretty');
  assert.equal(resolveLogFormat(undefined, { EY_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(resolveLogFormat('json', { EY_LOG_FORMAT: 'pretty' }, true), 'json');
  assert.equal(resolveLogFormat('pretty', {}, false), 'pretty');
  assert.throws(
    () => resolveLogFormat('text', {}, true),
    (err) => isEventyardError(err) && err.code === 'EY_CLI_USAGE' && err.message === '--log-format: "text" is not a log format (expected json or pretty)',
  );
  assert.throws(() => resolveLogFormat(undefined, { EY_LOG_FORMAT: 'yaml' }, true), /EY_LOG_FORMAT: "yaml" is not a log format/);
});

test('pretty turns a real pino line into level, message and fields; other lines pass as they are', () => {
  const lines: string[] = [];
  const log = createLogger({ name: 'router', destination: { write: (line: string) => void lines.push(line.trimEnd()) } });
  log.info({ component: 'ingest-consumer', partitions: 6 }, 'joined the group');
  log.error({ err: new Error('boom') }, 'start failed');
  const [info = '', error = ''] = lines;

  const pretty = lineFormatter('pretty');
  assert.match(pretty(info), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: joined the group \{"component":"ingest-consumer","partitions":6\}$/);
  assert.doesNotMatch(pretty(info), /service|router/, 'the process name is the prefix already');
  const errorText = pretty(error);
  assert.match(errorText, /^\[[\d:.]+\] ERROR: start failed/);
  assert.match(errorText, /Error: boom\n\s+at /, "an error's stack is shown as a stack");
  for (const other of ['node:internal/modules/run_main:123', '{not json', '{"no":"level"}', '']) assert.equal(pretty(other), other);

  const json = lineFormatter('json');
  assert.equal(json(info), info);
});
