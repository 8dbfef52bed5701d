// Small value rules shared by the admin routes: the success `ret`, page sizes and optimistic versions
// given as query strings, each refused with a message naming the parameter.
import { HttpError } from '../http/api-error.ts';
import { AdminErrors } from '../error-codes.ts';

export const OK = Object.freeze({ code: 0, msg: 'success' });

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  const limit = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  return limit;
}

export function parseVersion(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, 'version must be a non-negative integer');
  return Number(value);
}
