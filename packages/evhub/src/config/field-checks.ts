// Value checks on config input (processors, producers, API keys) before it reaches SQL, each throwing a
// ValidationError (EY_INVALID_CONFIG) that names the field (`retry_strategy.retry_count`), so the admin
// API can answer 400 with a precise message.
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';

/** Largest value of a Postgres `integer` column. */
export const MAX_INT32 = 2_147_483_647;

/** The error of every config check: `field problem`, the field in context. */
export function invalid(field: string, problem: string): ValidationError {
  return new ValidationError(EvhubErrors.EY_INVALID_CONFIG, `${field} ${problem}`, { context: { field } });
}

export function requiredString(value: unknown, field: string, maxLength = 255): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'is required (a non-empty string)');
  if (value.length > maxLength) throw invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

export function optionalString(value: unknown, field: string, fallback: string, maxLength = 4096): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > maxLength) throw invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

export function nullableString(value: unknown, field: string, maxLength = 4096): string | null {
  if (value === undefined || value === null || value === '') return null;
  return optionalString(value, field, '', maxLength);
}

/** A non-negative integer that fits a Postgres `integer` (EvHub sends numbers; strings of digits are accepted too). */
export function nonNegativeInt(value: unknown, field: string, fallback = 0, max = MAX_INT32): number {
  if (value === undefined || value === null) return fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) throw invalid(field, 'must be a non-negative integer');
  if (number > max) throw invalid(field, `must be at most ${max}`);
  return number;
}

export function bool(value: unknown, field: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

export function plainObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field, 'must be an object');
  return value as Record<string, unknown>;
}

export function expectedVersion(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return nonNegativeInt(value, 'version');
}
