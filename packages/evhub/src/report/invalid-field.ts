// The one constructor of the producer's validation errors: EvHub code 10000, a message that starts with
// the field's path (`trigger.delay_trigger.delay_time must not be negative`) and the field in context.
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';

/** Stable code of every Report validation error (docs/errors.md). */
export const REPORT_INVALID = EvhubErrors.EY_REPORT_INVALID.code;

export function invalidField(field: string, problem: string): ValidationError {
  return new ValidationError(EvhubErrors.EY_REPORT_INVALID, `${field} ${problem}`, { context: { field } });
}
