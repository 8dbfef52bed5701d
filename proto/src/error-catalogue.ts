// The shape of Eventyard's error tables (STYLE.md, Errors): each package that raises errors keeps one
// `as const` table of its EY_* codes, and everything about a code comes from its row: the family, the HTTP
// status of a REST reply refusing a request with it, EvHub's `ret.code`, whether retrying can succeed, and
// the text of docs/errors.md. Errors are built from a row (`new EventyardError(CoreErrors.EY_X, message)`),
// so no call site picks a status by hand and the edges translate by code only. It lives in the contract
// package because proto depends on nothing of ours and both ProtoError and core's EventyardError read it.
import type { ResultCode } from './result-codes.ts';

export type ErrorFamily = 'config' | 'validation' | 'not_found' | 'conflict' | 'protocol' | 'delivery' | 'timeout' | 'internal';

/**
 * gRPC statuses an edge fails a call with instead of answering EvHub's `ret` (names of grpc-js `status`,
 * kept as strings so the table loads no gRPC code).
 */
export type TransportStatus = 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'UNAVAILABLE' | 'RESOURCE_EXHAUSTED';

/** One row of an error table, as written in a package's table. */
export interface ErrorRow {
  readonly family: ErrorFamily;
  /** HTTP status of a REST reply refusing a request with this error (admin API; producer for transport codes). */
  readonly http: number;
  /** EvHub `ret.code` an EvHub edge answers for this error. */
  readonly resultCode: ResultCode;
  /** Whether trying the same thing again can succeed; retry decisions read this, never the message. */
  readonly retriable: boolean;
  /**
   * Set when EvHub has no `ret.code` a caller could act on: the producer then fails the gRPC call with
   * this status and answers HTTP `http`, instead of gRPC OK / HTTP 200 with `ret`.
   */
  readonly transport?: TransportStatus;
  /** docs/errors.md: who raises it. */
  readonly raisedBy: string;
  /** docs/errors.md: what it means and what to do. */
  readonly meaning: string;
}

/** A row with its code: what error constructors take. */
export interface ErrorSpec<C extends string = string> extends ErrorRow {
  readonly code: C;
}

/** A package's table: each code's row, keyed by the code. */
export type ErrorTable<T extends Record<string, ErrorRow>> = { readonly [C in keyof T & string]: ErrorSpec<C> & T[C] };

/**
 * Turns a package's `as const` rows into its frozen table, each row carrying its own code (the key), so
 * the code string is written exactly once in the whole repository.
 */
export function defineErrorCodes<const T extends Record<`EY_${string}`, ErrorRow>>(rows: T): ErrorTable<T> {
  const table: Record<string, ErrorSpec> = {};
  for (const [code, row] of Object.entries(rows)) table[code] = Object.freeze({ code, ...row });
  return Object.freeze(table) as ErrorTable<T>;
}

/** The brand core's isEventyardError looks for (Symbol.for: shared by every copy of either package). */
const BRAND = Symbol.for('eventyard.error');

export interface CodedErrorOptions {
  cause?: unknown;
  /** Fields the logger prints beside the error (topic, partition, event_id, field…). */
  context?: Record<string, unknown>;
}

/**
 * An error built from one row of an error table: code, family, retriable, EvHub result code, HTTP and
 * gRPC statuses all come from the row, the call site gives the message and context. The one
 * implementation behind @eventyard/core's EventyardError and proto's own ProtoError (proto depends on
 * nothing of ours, so the class lives here); both carry the same brand.
 */
export class CodedError<C extends string = string> extends Error {
  readonly code: C;
  readonly family: ErrorFamily;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
  /** EvHub `ret.code` the producer's edge answers for this error. */
  readonly resultCode: ResultCode;
  /** HTTP status of a REST reply refusing a request with this error. */
  readonly httpStatus: number;
  /** gRPC status an EvHub edge fails the call with instead of answering `ret` (see ErrorRow.transport). */
  readonly transport: TransportStatus | undefined;

  constructor(spec: ErrorSpec<C>, message: string, options: CodedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
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
