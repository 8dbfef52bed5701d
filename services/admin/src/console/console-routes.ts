// GET /ui (→ /ui/) and GET /ui/*: the web console's page and files (console-assets.ts). Public routes:
// the files hold no data, and the page signs in with the admin token or an API key that it sends as
// `authorization: Bearer` on every API call, exactly as any other client of the admin API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CoreErrors } from '@eventyard/core';
import { reply } from '../http/api-error.ts';
import type { ConsoleAssets } from './console-assets.ts';

export function registerConsoleRoutes(app: FastifyInstance, assets: ConsoleAssets): void {
  app.get('/ui', async (_request, res) => res.redirect('/ui/', 302));

  app.get<{ Params: { '*': string } }>('/ui/*', async (request, res) => {
    const path = request.params['*'];
    const file = assets.files.get(path === 'index.html' ? '' : path);
    // Security headers go on every answer of the console, a 404 included.
    void res
      .header('content-security-policy', assets.csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
    if (file === undefined) {
      const { status, body } = reply(CoreErrors.EY_ROUTE_NOT_FOUND, `no console file /ui/${path}`);
      return res.code(status).send(body);
    }
    void res.header('content-type', file.type).header('cache-control', file.cacheControl).header('etag', file.etag).header('vary', 'accept-encoding');
    if (notModified(request, file.etag)) return res.code(304).send();
    if (file.gzip !== undefined && acceptsGzip(request)) return send(res.header('content-encoding', 'gzip'), file.gzip);
    return send(res, file.body);
  });
}

function send(res: FastifyReply, body: Buffer): FastifyReply {
  return res.header('content-length', body.length).send(body);
}

function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  return header !== undefined && header.split(',').some((tag) => tag.trim() === etag || tag.trim() === `W/${etag}`);
}

/** `gzip` listed in accept-encoding with a weight above 0. */
function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return coding === 'gzip' && (q === undefined || Number(q.slice(2)) > 0);
  });
}
