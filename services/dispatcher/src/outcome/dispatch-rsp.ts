// Reads EvHub's `DispatchRsp {ret: {code, msg}, pass_back}` the way consumers actually send it: from
// a decoded protobuf (keepCase `pass_back` or camelCase `passBack`, bytes or base64 string) or from
// JSON in Go-struct form (`pass_back`, base64) or proto3 form (`passBack`, int32 maybe as a string).
import { CANCEL_CODE, OutcomeErrorCode, type AttemptOutcome } from './attempt-outcome.ts';
import { utf8Excerpt } from './excerpt.ts';

/** A decoded `DispatchRsp`, loosely typed because it comes from the consumer. */
export interface DispatchRspLike {
  readonly ret?: unknown;
  readonly pass_back?: unknown;
  readonly passBack?: unknown;
}

const INTEGER_STRING = /^-?[0-9]{1,10}$/;

/** The consumer's `pass_back` as bytes, or undefined when absent or empty. */
export function readPassBack(rsp: DispatchRspLike): Buffer | undefined {
  const raw = rsp.pass_back ?? rsp.passBack;
  let bytes: Buffer | undefined;
  if (raw instanceof Uint8Array) bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  else if (typeof raw === 'string') bytes = Buffer.from(raw, 'base64');
  return bytes !== undefined && bytes.byteLength > 0 ? bytes : undefined;
}

/**
 * Classifies a response by its `ret`: absent, null or code 0/absent → success; 30000 → cancel;
 * any other integer → retriable failure carrying that code and `msg`; a code that is not an
 * integer → retriable failure "invalid_ret_code" (the consumer meant something we cannot read).
 */
export function classifyResult(rsp: DispatchRspLike, extra: Partial<AttemptOutcome> = {}): AttemptOutcome {
  const passBack = readPassBack(rsp);
  const base = passBack === undefined ? extra : { ...extra, passBack };
  const ret = rsp.ret;
  if (ret === undefined || ret === null || typeof ret !== 'object') return { outcome: 'success', retriable: false, ...base };
  const { code: rawCode, msg } = ret as { code?: unknown; msg?: unknown };
  const message = typeof msg === 'string' && msg.length > 0 ? utf8Excerpt(msg) : undefined;
  if (rawCode === undefined || rawCode === null) return { outcome: 'success', retriable: false, ...base };
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' && INTEGER_STRING.test(rawCode) ? Number(rawCode) : Number.NaN;
  if (!Number.isInteger(code)) {
    return {
      outcome: 'failure',
      retriable: true,
      errorCode: OutcomeErrorCode.invalidRetCode,
      errorMessage: utf8Excerpt(`ret.code is not an integer: ${JSON.stringify(rawCode) ?? typeof rawCode}`),
      ...base,
    };
  }
  if (code === 0) return { outcome: 'success', retriable: false, ...base };
  const withMessage = message === undefined ? base : { ...base, errorMessage: message };
  if (code === CANCEL_CODE) return { outcome: 'cancel', retriable: false, errorCode: code, ...withMessage };
  return { outcome: 'failure', retriable: true, errorCode: code, ...withMessage };
}
