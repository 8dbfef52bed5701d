// Guards for requests that never reach a route's own checks, so they too get the admin's coded replies
// (`{"ret", "error"}`) instead of fastify's or Node's bare bodies or a Postgres error turned into a 500.
// Found by the bad-input campaign (test/fuzz): a NUL in any string reached Postgres ("invalid byte
// sequence for encoding UTF8: 0x00", a 500), and bad percent-encoding, over-long path parameters and
// oversized headers were answered without an error code.
import type { Socket } from 'node:net';
import { ResultCode } from '@eventyard/core';
import { AdminErrors } from '../error-codes.ts';
import { HttpError } from './api-error.ts';

/**
 * Where in `value` a string (or key) holds a NUL character, as a dotted path, or undefined. PostgreSQL's
 * text cannot store U+0000, so such a value can only be refused. Iterative: a deeply nested body must
 * not overflow the stack.
 */
export function findNul(value: unknown, root: string): string | undefined {
  return findProblem(value, root, Infinity)?.nul;
}

/**
 * Deepest nesting a request may carry. JSON.parse builds any depth iteratively, but the routes' own
 * recursive code (JSON.stringify of a filter, schema validation) overflows the stack on a few thousand
 * levels (the bad-input campaign's deep-json case: a 500). No Eventyard object nests beyond ~10.
 */
export const MAX_NESTING = 64;

/** The first NUL (as a dotted path) or the first value nested deeper than MAX_NESTING, in one iterative walk. */
function findProblem(value: unknown, root: string, maxNesting = MAX_NESTING): { nul?: string; deep?: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { nul: path };
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= maxNesting) return { deep: path };
      if (Array.isArray(v)) {
        v.forEach((item, i) => stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
      } else {
        for (const [key, item] of Object.entries(v)) {
          if (key.includes('\u0000')) return { nul: `${path} (a key)` };
          stack.push({ value: item, path: `${path}.${key}`, depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

/**
 * preValidation hook body: refuses a NUL in path parameters, query string or body, and a body nested
 * deeper than MAX_NESTING, naming where.
 */
export function refuseNul(request: { params: unknown; query: unknown; body: unknown }): void {
  const found = findProblem(request.params, 'path') ?? findProblem(request.query, 'query') ?? findProblem(request.body, 'body');
  if (found?.nul !== undefined) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `${found.nul}: contains a NUL character (\\u0000), which cannot be stored`);
  if (found?.deep !== undefined) throw new HttpError(AdminErrors.EY_INVALID_REQUEST, `${found.deep}: nested deeper than ${MAX_NESTING} levels`);
}

/**
 * Node's HTTP parser errors (headers over the size limit, a malformed request line): answered with the
 * admin's error shape, as fastify's default handler does with its own. A reset socket gets nothing.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, msg] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers (or the URL) are larger than the server accepts']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request was not received in time']
        : [400, 'Bad Request', 'the HTTP request is malformed'];
  const body = JSON.stringify({ ret: { code: ResultCode.INVALID_PARAMETER, msg }, error: AdminErrors.EY_INVALID_REQUEST.code });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}
