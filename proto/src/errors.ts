// The error the codecs throw: a CodedError (error-catalogue.ts), the class core's EventyardError also
// extends, so core's isEventyardError, the services' error handling (code, family, retriable,
// resultCode, httpStatus) and the logger treat a codec error exactly like any other EventyardError.
import { CodedError, type CodedErrorOptions, type ErrorSpec } from './error-catalogue.ts';
import type { ProtoErrorCode } from './error-codes.ts';

export type ProtoErrorOptions = CodedErrorOptions;

/** A contract-level failure: bytes or objects that are not what a message type allows. Never retriable. */
export class ProtoError extends CodedError<ProtoErrorCode> {
  /** `spec` is a row of ProtoErrors: everything but the message and context comes from the table. */
  constructor(spec: ErrorSpec<ProtoErrorCode>, message: string, options: ProtoErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'ProtoError';
  }
}
