// Shared by the tests of the HTTP mirror's lazy load (http-server.test.ts, http-server-stop.test.ts):
// whether this process has loaded fastify yet, and a Report over HTTP.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const fastifyMain = require.resolve('fastify');

/** True once fastify's main module is in this process's module cache. */
export const fastifyLoaded = (): boolean => require.cache[fastifyMain] !== undefined;

/** POST /v1/report of a small event whose data names `n`. */
export const reportOverHttp = (url: string, n: number): Promise<Response> =>
  fetch(`${url}/v1/report`, {
    method: 'POST',
    body: JSON.stringify({ event: { app_id: 'shop', topic_id: 'order', data: Buffer.from(`{"n":${n}}`).toString('base64') } }),
  });
