// Eventyard's error type: a stable string code (one row of a package's error table, listed in
// docs/errors.md, never reused) from which the family, the `retriable` flag that retry decisions read,
// the HTTP status and the EvHub result code the edges translate it to all come; plus a cause and context
// fields the logger serialises. A call site names the row and writes the message, nothing else.

// EvHub's result codes and the shape of the error tables belong to the wire contract (@eventyard/proto);
// these subpaths load no gRPC code.
import { ResultCode } from '@eventyard/proto/result-codes';
import {
  CodedError,
  defineErrorCodes,
  type ErrorFamily,
  type ErrorRow,
  type ErrorSpec,
  type ErrorTable,
  type TransportStatus,
} from '@eventyard/proto/error-catalogue';

export { defineErrorCodes, ResultCode };
export type { ErrorFamily, ErrorRow, ErrorSpec, ErrorTable, TransportStatus };

// @eventyard/proto's ProtoError (the codecs' error) carries the same brand: isEventyardError accepts it.
const BRAND = Symbol.for('eventyard.error');

export interface EventyardErrorOptions {
  cause?: unknown;
  /** Fields the logger prints beside the error (topic, partition, event_id, field…). */
  context?: Record<string, unknown>;
}

/** A table row of the given family (what each subclass accepts). */
export type FamilySpec<F extends ErrorFamily> = ErrorSpec & { readonly family: F };

/** Every error Eventyard raises (proto's CodedError, named for the services); see the file's head. */
export class EventyardError extends CodedError {
  /** `spec` is a row of a package's error table (e.g. CoreErrors.EY_CONFIG_INVALID). */
  constructor(spec: ErrorSpec, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'EventyardError';
  }
}

/** Recognises an EventyardError by brand, not instanceof: a package may be installed twice. */
export function isEventyardError(err: unknown): err is EventyardError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

export class ConfigError extends EventyardError {
  constructor(spec: FamilySpec<'config'>, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'ConfigError';
  }
}

/** Bad input from a caller. */
export class ValidationError extends EventyardError {
  constructor(spec: FamilySpec<'validation'>, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends EventyardError {
  constructor(spec: FamilySpec<'not_found'>, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'NotFoundError';
  }
}

/** Optimistic-lock or uniqueness conflict. */
export class ConflictError extends EventyardError {
  constructor(spec: FamilySpec<'conflict'>, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'ConflictError';
  }
}

export class TimeoutError extends EventyardError {
  constructor(spec: FamilySpec<'timeout'>, message: string, options: EventyardErrorOptions = {}) {
    super(spec, message, options);
    this.name = 'TimeoutError';
  }
}
