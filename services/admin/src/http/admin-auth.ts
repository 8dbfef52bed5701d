// The optional admin token: when configured, every /v1 route needs `authorization: Bearer <token>`.
// Compared as SHA-256 digests in constant time, so neither the token nor its length leaks by timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './api-error.ts';
import { CoreErrors } from '@eventyard/core';

export function createTokenCheck(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (match?.[1] === undefined) throw new HttpError(CoreErrors.EY_UNAUTHENTICATED, 'authorization: Bearer <admin token> is required');
    if (!timingSafeEqual(digest(match[1].trim()), expected)) throw new HttpError(CoreErrors.EY_UNAUTHENTICATED, 'the admin token is not valid');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
