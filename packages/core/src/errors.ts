// Eventyard's error type: a stable string code (one row of a package's error table, listed in
// docs/errors.md, never reused) from which the family, the `retriable` flag that retry decisions read,
// the HTTP status and the EvHub result code the edges translate it to all come; plus a cause and context
// fields the logger serialises. A call site names the row and writes the message, nothing else.

// EvHub's result codes and the shape of the error tables belong to the wire contract (@eventyard/proto);
// these subpaths load no gRPC code.
import { ResultCode } from '@eventyard/proto/result-codes';
import { defineErrorCodes, type ErrorFamily, type ErrorRow, type ErrorSpec, type ErrorTable, type TransportStatus } from '@eventyard/proto/error-catalogue';

export { defineErrorCodes, ResultCode };
export type { ErrorFamily, ErrorRow, ErrorSpec, ErrorTable, TransportStatus };

// @eventyard/proto's ProtoError (the codecs' error) carries the same brand: isEventyardError accepts it.
const BRAND = Symbol.for('eventyard.error');

export interface EventyardErrorOptions {
  cause?: unknown;
  /** Fields the logger prints beside the error (topic, partition, event_id, field…). */
  context?: Record<string, unknown>;
}

/**
 * Options of the old form `new EventyardError(family, code, message, options)`, kept only for the
 * packages whose codes are not in a table yet (router, dispatcher, delay-scheduler, broker).
 * @deprecated build errors from a table row.
 */
export interface LegacyErrorOptions extends EventyardErrorOptions {
  /** @default false */
  retriable?: boolean;
  /** @default 20005 (system error) */
  resultCode?: ResultCode;
}

/** The HTTP status an old-form error gets: what the admin API answered for its family before the tables. */
const LEGACY_FAMILY_STATUS: Partial<Record<ErrorFamily, number>> = { validation: 400, config: 400, not_found: 404, conflict: 409, timeout: 503 };

/** A table row of the given family (what each subclass accepts). */
export type FamilySpec<F extends ErrorFamily> = ErrorSpec & { readonly family: F };

export class EventyardError extends Error {
  readonly code: string;
  readonly family: ErrorFamily;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
  /** EvHub `ret.code` the producer's edge answers for this error. */
  readonly resultCode: ResultCode;
  /** HTTP status of a REST reply refusing a request with this error. */
  readonly httpStatus: number;
  /** gRPC status an EvHub edge fails the call with instead of answering `ret` (see ErrorRow.transport). */
  readonly transport: TransportStatus | undefined;

  /** `spec` is a row of a package's error table (e.g. CoreErrors.EY_CONFIG_INVALID). */
  constructor(spec: ErrorSpec, message: string, options?: EventyardErrorOptions);
  /** @deprecated only for codes not in a table yet (router, dispatcher, delay-scheduler, broker). */
  constructor(family: ErrorFamily, code: string, message: string, options?: LegacyErrorOptions);
  constructor(first: ErrorSpec | ErrorFamily, second: string, third?: string | EventyardErrorOptions, fourth: LegacyErrorOptions = {}) {
    const legacy = typeof first === 'string';
    // The old form has the message third and the options fourth; the table form has them second and third.
    const options: LegacyErrorOptions = legacy ? fourth : ((third as EventyardErrorOptions | undefined) ?? {});
    super(legacy ? (third as string) : second, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EventyardError';
    if (legacy) {
      this.family = first;
      this.code = second;
      this.retriable = options.retriable ?? false;
      this.resultCode = options.resultCode ?? ResultCode.SYSTEM_ERROR;
      this.httpStatus = LEGACY_FAMILY_STATUS[first] ?? 500;
      this.transport = undefined;
    } else {
      this.family = first.family;
      this.code = first.code;
      this.retriable = first.retriable;
      this.resultCode = first.resultCode;
      this.httpStatus = first.http;
      this.transport = first.transport;
    }
    this.context = options.context ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, family: this.family, message: this.message, retriable: this.retriable, ...this.context };
  }
}

/** Recognises an EventyardError by brand, not instanceof: a package may be installed twice. */
export function isEventyardError(err: unknown): err is EventyardError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * What the subclasses do for an old-form call (a bare code string): the family's defaults of before the
 * tables. Removed once router, dispatcher, delay-scheduler and broker build their errors from tables.
 */
function legacyArgs(family: ErrorFamily, code: string, message: string, defaults: LegacyErrorOptions, options: LegacyErrorOptions): [ErrorFamily, string, string, LegacyErrorOptions] {
  return [family, code, message, { ...defaults, ...options }];
}

export class ConfigError extends EventyardError {
  constructor(spec: FamilySpec<'config'>, message: string, options?: EventyardErrorOptions);
  /** @deprecated only for codes not in a table yet. */
  constructor(code: string, message: string, options?: LegacyErrorOptions);
  constructor(spec: FamilySpec<'config'> | string, message: string, options: LegacyErrorOptions = {}) {
    if (typeof spec === 'string') super(...legacyArgs('config', spec, message, {}, options));
    else super(spec, message, options);
    this.name = 'ConfigError';
  }
}

/** Bad input from a caller. */
export class ValidationError extends EventyardError {
  constructor(spec: FamilySpec<'validation'>, message: string, options?: EventyardErrorOptions);
  /** @deprecated only for codes not in a table yet; maps to EvHub 10000 unless told otherwise. */
  constructor(code: string, message: string, options?: LegacyErrorOptions);
  constructor(spec: FamilySpec<'validation'> | string, message: string, options: LegacyErrorOptions = {}) {
    if (typeof spec === 'string') super(...legacyArgs('validation', spec, message, { resultCode: ResultCode.INVALID_PARAMETER }, options));
    else super(spec, message, options);
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
  constructor(spec: FamilySpec<'timeout'>, message: string, options?: EventyardErrorOptions);
  /** @deprecated only for codes not in a table yet; retriable unless told otherwise. */
  constructor(code: string, message: string, options?: LegacyErrorOptions);
  constructor(spec: FamilySpec<'timeout'> | string, message: string, options: LegacyErrorOptions = {}) {
    if (typeof spec === 'string') super(...legacyArgs('timeout', spec, message, { retriable: true }, options));
    else super(spec, message, options);
    this.name = 'TimeoutError';
  }
}
