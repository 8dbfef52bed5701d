// Eventyard's error type: a stable string code (listed in docs/errors.md, never reused), a
// `retriable` flag that retry decisions read, a cause, context fields the logger serialises, and
// the EvHub result code the producer's edge translates it to.

// EvHub's result codes belong to the wire contract (@eventyard/proto); the subpath loads no gRPC code.
import { ResultCode } from '@eventyard/proto/result-codes';

export { ResultCode };

// @eventyard/proto's ProtoError (the codecs' error) carries the same brand: isEventyardError accepts it.
const BRAND = Symbol.for('eventyard.error');

export type ErrorFamily = 'config' | 'validation' | 'not_found' | 'conflict' | 'protocol' | 'delivery' | 'timeout' | 'internal';

export interface EventyardErrorOptions {
  /** @default false */
  retriable?: boolean;
  cause?: unknown;
  /** Fields the logger prints beside the error (topic, partition, event_id, field…). */
  context?: Record<string, unknown>;
  /** EvHub `ret.code` this error maps to at the producer's edge. @default 20005 (system error) */
  resultCode?: ResultCode;
}

export class EventyardError extends Error {
  readonly code: string;
  readonly family: ErrorFamily;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
  readonly resultCode: ResultCode;

  constructor(family: ErrorFamily, code: string, message: string, options: EventyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EventyardError';
    this.family = family;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    this.resultCode = options.resultCode ?? ResultCode.SYSTEM_ERROR;
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

type SubclassOptions = Omit<EventyardErrorOptions, 'resultCode'> & { resultCode?: ResultCode };

export class ConfigError extends EventyardError {
  constructor(code: string, message: string, options: SubclassOptions = {}) {
    super('config', code, message, options);
    this.name = 'ConfigError';
  }
}

/** Bad input from a caller; maps to EvHub 10000 unless told otherwise. */
export class ValidationError extends EventyardError {
  constructor(code: string, message: string, options: SubclassOptions = {}) {
    super('validation', code, message, { resultCode: ResultCode.INVALID_PARAMETER, ...options });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends EventyardError {
  constructor(code: string, message: string, options: SubclassOptions = {}) {
    super('not_found', code, message, { resultCode: ResultCode.INVALID_PARAMETER, ...options });
    this.name = 'NotFoundError';
  }
}

/** Optimistic-lock or uniqueness conflict. */
export class ConflictError extends EventyardError {
  constructor(code: string, message: string, options: SubclassOptions = {}) {
    super('conflict', code, message, options);
    this.name = 'ConflictError';
  }
}

export class TimeoutError extends EventyardError {
  constructor(code: string, message: string, options: SubclassOptions = {}) {
    super('timeout', code, message, { retriable: true, ...options });
    this.name = 'TimeoutError';
  }
}
