// The error the codecs throw. proto depends on nothing of ours (the SDK bundles it), so it cannot use
// @eventyard/core's EventyardError; it carries the same brand and fields instead, so core's
// isEventyardError, the services' error handling (code, family, retriable, resultCode, httpStatus) and the
// logger treat a codec error exactly like any other EventyardError.
import type { ErrorFamily, ErrorSpec, TransportStatus } from './error-catalogue.ts';
import type { ProtoErrorCode } from './error-codes.ts';
import type { ResultCode } from './result-codes.ts';

/** The brand core's isEventyardError looks for (Symbol.for: shared by every copy of either package). */
const BRAND = Symbol.for('eventyard.error');

export interface ProtoErrorOptions {
  cause?: unknown;
  /** Fields the logger prints beside the error (type, bytes…). */
  context?: Record<string, unknown>;
}

/** A contract-level failure: bytes or objects that are not what a message type allows. Never retriable. */
export class ProtoError extends Error {
  readonly code: ProtoErrorCode;
  readonly family: ErrorFamily;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
  /** What the producer answers in `ret.code` when such an error reaches it. */
  readonly resultCode: ResultCode;
  readonly httpStatus: number;
  readonly transport: TransportStatus | undefined;

  /** `spec` is a row of ProtoErrors: everything but the message and context comes from the table. */
  constructor(spec: ErrorSpec<ProtoErrorCode>, message: string, options: ProtoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtoError';
    this.code = spec.code;
    this.family = spec.family;
    this.retriable = spec.retriable;
    this.resultCode = spec.resultCode;
    this.httpStatus = spec.http;
    this.transport = spec.transport;
    this.context = options.context ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, family: this.family, message: this.message, retriable: this.retriable, ...this.context };
  }
}
