// Writing an attempt record so that nothing a consumer answers can hold up its partition. What came from
// outside (the consumer's ret.msg and ret.code, its response body, transport error text) is made safe
// for its column first. Should Postgres still refuse the row as data (SQLSTATE class 22: a value it
// cannot store, however often it is sent), the attempt is written again without that text, keeping
// what the dispatcher itself knows (outcome, codes, times, the delivery's new status); refused even
// then, it is skipped. Both are logged at error level and counted in
// eventyard_dispatcher_history_rejected_total. Any other error (Postgres down, a connection lost, a
// deadlock) is retried as before: the record's outcome must be durable before its offset counts.
import type { Logger } from '@eventyard/core';
import { isDataException, pgIntegerOrNull, pgSafeText, pgSafeTextOrNull, sqlStateOf, type AttemptInput } from '@eventyard/db';
import type { DispatcherMetrics } from '../metrics.ts';
import { EXCERPT_BYTES } from '../outcome/excerpt.ts';
import { persist } from './persist.ts';

/** Longest error_code kept: the dispatcher's own are short, a consumer's ret.code has at most 20 characters. */
const ERROR_CODE_BYTES = 128;
/** An error_code the reduced form keeps: printable ASCII without spaces, as every code we record is. */
const PLAIN_CODE = /^[\x21-\x7e]{1,64}$/;

export type AttemptRecordResult = 'recorded' | 'reduced' | 'skipped';

export interface AttemptRecordOptions {
  signal: AbortSignal;
  logger: Logger;
  metrics: DispatcherMetrics;
  /** topic, partition, offset, event_id: logged with problems. */
  context: Record<string, unknown>;
}

/** The attempt with every value that came from outside made safe for its column. */
export function safeAttempt(attempt: AttemptInput): AttemptInput {
  const code = attempt.error_code;
  return {
    ...attempt,
    error_code: typeof code === 'string' ? pgSafeText(code, ERROR_CODE_BYTES) : (code ?? null),
    error_message: pgSafeTextOrNull(attempt.error_message, EXCERPT_BYTES),
    response_excerpt: pgSafeTextOrNull(attempt.response_excerpt, EXCERPT_BYTES),
    // A JSON ret.code may be any integer; the text error_code keeps it whole.
    ret_code: pgIntegerOrNull(attempt.ret_code),
    response_status: pgIntegerOrNull(attempt.response_status),
  };
}

/** The attempt without the consumer's text, and every other text made safe: what is left once Postgres refused the row. */
export function reducedAttempt(attempt: AttemptInput, sqlState: string | undefined): AttemptInput {
  const code = attempt.error_code === undefined || attempt.error_code === null ? null : String(attempt.error_code);
  return {
    ...attempt,
    app_id: pgSafeText(attempt.app_id),
    topic_id: pgSafeText(attempt.topic_id),
    outcome: pgSafeText(attempt.outcome),
    error_code: code !== null && PLAIN_CODE.test(code) ? code : null,
    error_message: `attempt details not recorded: the database refused them (SQLSTATE ${sqlState ?? 'unknown'})`,
    response_excerpt: null,
    ret_code: pgIntegerOrNull(attempt.ret_code),
    response_status: pgIntegerOrNull(attempt.response_status),
  };
}

/**
 * Writes the attempt (made safe) through `write`, retrying transient failures until it is durable or the
 * signal fires (then it rejects with `abandoned()`). Resolves with what was written: the attempt, its
 * reduced form, or nothing.
 */
export async function recordAttemptDurably(
  write: (attempt: AttemptInput) => Promise<unknown>,
  attempt: AttemptInput,
  options: AttemptRecordOptions,
): Promise<AttemptRecordResult> {
  const { logger, metrics, context } = options;
  const persistOptions = { signal: options.signal, logger, context, permanent: isDataException };
  let refused: unknown;
  try {
    await persist(() => write(safeAttempt(attempt)), { ...persistOptions, step: 'record attempt' });
    return 'recorded';
  } catch (err) {
    if (!isDataException(err)) throw err;
    refused = err;
  }
  const sqlState = sqlStateOf(refused);
  const about = {
    ...context,
    dispatcher_id: attempt.dispatcher_id,
    retry_times: attempt.retry_times,
    repeat_times: attempt.repeat_times,
    outcome: attempt.outcome,
    sqlstate: sqlState,
  };
  logger.error({ err: refused, ...about }, 'attempt record refused by the database as data; recording it without the consumer text');
  try {
    await persist(() => write(reducedAttempt(attempt, sqlState)), { ...persistOptions, step: 'record reduced attempt' });
    metrics.historyRejected.inc({ processor: attempt.dispatcher_id, action: 'reduced' });
    return 'reduced';
  } catch (err) {
    if (!isDataException(err)) throw err;
    metrics.historyRejected.inc({ processor: attempt.dispatcher_id, action: 'skipped' });
    logger.error(
      { err, ...about, reduced_sqlstate: sqlStateOf(err) },
      'attempt record refused by the database even reduced; skipped, so the delivery history misses this attempt',
    );
    return 'skipped';
  }
}
