// Cases for the admin API: every route the running service lists in /openapi.json (method, path
// template, query parameters), hit with hostile path parameters, query strings and bodies. Valid body
// templates per POST route give the mutations something close to right to break.
import { E2E_ADMIN_TOKEN } from '../e2e/stack.ts';
import type { HttpCase } from './cases.ts';
import { HOSTILE_STRINGS, INVALID_UTF8 } from './fuzz-values.ts';
import { mutateJsonBody, type Json } from './gen-json.ts';
import type { Rng } from './prng.ts';

export interface AdminRoute {
  method: string;
  /** Fastify form: /v1/processor/:dispatcher_id */
  template: string;
  params: string[];
  query: string[];
}

/** Reads the route list from an OpenAPI document (the admin's /openapi.json). */
export function routesFromOpenApi(doc: {
  paths: Record<
    string,
    Record<string, { parameters?: Array<{ name: string; in: string }>; responses?: Record<string, { content?: Record<string, unknown> }> }>
  >;
}): AdminRoute[] {
  const routes: AdminRoute[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      // Server-Sent Events streams (the watch routes) answer a good request with a response that does
      // not end: a case here waits for a whole body. test/e2e/watch.test.ts covers their bad input.
      if (operation.responses?.['200']?.content?.['text/event-stream'] !== undefined) continue;
      const parameters = operation.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        template: path.replace(/\{([^}]+)\}/g, ':$1'),
        params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
  return routes;
}

/** Bodies the admin accepts (or nearly), keyed by "METHOD template". Ids are ours (fz-admin-*), so nothing the campaign reports is touched. */
function bodyTemplate(rng: Rng, key: string): Json | undefined {
  const id = `fz-admin-${rng.word(2, 4)}`;
  switch (key) {
    case 'POST /v1/producer':
      return {
        producer_conf_info: {
          app_id: id,
          topic_id: rng.word(),
          tx_protocol_type: 5,
          tx_address: '127.0.0.1:1/cb',
          tx_timeout: 1000,
          tx_callback_interval: 60_000,
          qps: 0,
        },
      };
    case 'POST /v1/processor':
      return {
        processor_conf_info: {
          dispatcher_id: id,
          app_id: id,
          topic_id: rng.word(),
          protocol_type: rng.pick(['grpcSend', 'httpSend']),
          addr: '127.0.0.1:1',
          timeout: 500,
          retry_strategy: { retry_count: 1, retry_interval: 100 },
          filter_tag: { a: true },
          filter: rng.pick<Json>([{ x: { $eq: 1 } }, { x: { $regex: '(a+)+$' } }, { $or: [{ y: { $gt: 2 } }] }]),
        },
      };
    case 'POST /v1/filters/test':
      return {
        filter: rng.pick<Json>([{ x: { $regex: '(a+)+$' } }, { x: { $regex: '^(a|a)*$' } }, { 'a.b.c': { $in: [1, 2] } }, { $and: [{ x: { $exist: true } }] }]),
        filter_tag: { t: true },
        event: { tags: ['t'], json: { x: `${'a'.repeat(rng.pick([10, 40, 5000]))}!` } },
      };
    case 'POST /v1/api-keys':
      // A key for an app the campaign never reports for; the producer runs with EY_REQUIRE_API_KEY=false anyway.
      return { name: id, app_ids: [id], permissions: ['report'], expires_at: null };
    case 'POST /v1/replay':
      return { query: { app_id: id, delivery_status: ['dead'], since: '1h' }, dry_run: true, rate_per_s: 10, limit: 10 };
    default:
      if (key.startsWith('POST /v1/processors/') && key.endsWith('/redrive')) return { dry_run: true, since: '1h', limit: 5 };
      if (key.startsWith('POST /v1/processors/')) return { version: 1 };
      if (key.startsWith('POST /v1/events/') && key.endsWith('/replay')) return { dispatcher_id: id, original_targets: false };
      if (key.startsWith('POST ')) return {};
      return undefined;
  }
}

/** A path or query value, percent-encoded as sent (invalid escapes and UTF-8 included). */
function hostileComponent(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0:
      return encodeURIComponent(rng.pick(HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s) || /[\ud800-\udbff][\udc00-\udfff]/.test(s))));
    case 1:
      return [...rng.pick(INVALID_UTF8)].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
    case 2:
      return rng.pick(['%', '%zz', '%0', '%00', '%2F', '%2e%2e', '..', '.', '%C0%AE', '%u0041']);
    case 3:
      return String(rng.pick([0, -1, 1, 2 ** 53, 2 ** 63, 1e21]));
    case 4:
      return 'x'.repeat(rng.pick([255, 256, 1000, 9000]));
    default:
      return rng.word();
  }
}

/** One admin case over the given routes. */
export function adminCase(rng: Rng, index: number, routes: readonly AdminRoute[]): HttpCase {
  const base = { index, target: 'admin' as const, nulFields: [] as string[] };
  if (rng.chance(0.05)) {
    const method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    const path = rng.pick([
      '/v2/anything',
      '/v1',
      '/v1/',
      `/v1/${hostileComponent(rng)}`,
      '/%00',
      '//v1//processors',
      `/v1/processors/${hostileComponent(rng)}/${hostileComponent(rng)}/x`,
    ]);
    return { ...base, generator: 'unknown-route', method, path, headers: {}, body: undefined, route: 'unmatched' };
  }
  const route = rng.pick(routes);
  const key = `${route.method} ${route.template}`;
  const generator = rng.weighted({
    'bad-param': 3,
    'bad-query': 3,
    'bad-body': route.method === 'POST' ? 6 : 0,
    'wrong-method': 1,
    'valid-ish': 1,
    'bad-content-type': route.method === 'POST' ? 1 : 0,
  } as const);
  let path = route.template.replace(/:([a-z_]+)/g, () => (generator === 'bad-param' ? hostileComponent(rng) : `fz-admin-${rng.word(2, 4)}`));
  if (route.template.includes(':event_id') && generator !== 'bad-param') path = route.template.replace(':event_id', String(rng.int(1, 2 ** 30)));
  if (route.template.includes(':replay_id') && generator !== 'bad-param') path = path.replace(/fz-admin-[a-z0-9]+/, String(rng.int(1, 1000)));
  if (generator === 'bad-query' || (generator === 'valid-ish' && route.query.length > 0)) {
    const names = [...route.query, rng.word(), 'limit', 'cursor', 'since', 'until'];
    const pairs = Array.from(
      { length: rng.int(1, 4) },
      () => `${encodeURIComponent(rng.pick(names))}=${generator === 'valid-ish' ? rng.word() : hostileComponent(rng)}`,
    );
    if (rng.chance(0.2)) pairs.push(pairs[0] as string); // a repeated parameter arrives as an array
    path += `?${pairs.join('&')}`;
  }
  const method = generator === 'wrong-method' ? rng.pick(['PUT', 'PATCH', 'DELETE', 'POST', 'GET'].filter((m) => m !== route.method)) : route.method;
  const template = bodyTemplate(rng, key);
  let body: Buffer | undefined;
  let name: string = generator;
  const headers: Record<string, string> = {};
  // The admin API needs a credential: most cases carry the stack's token so they reach the routes' own
  // checks; the rest carry none or a wrong one, which must be a coded 401.
  const credential = rng.chance(0.9) ? E2E_ADMIN_TOKEN : rng.pick(['', 'wrong-token', 'eyk_000000000000_x', 'a'.repeat(5000)]);
  if (credential !== '') headers.authorization = `Bearer ${credential}`;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    headers['content-type'] = 'application/json';
    if (generator === 'bad-body' && template !== undefined) {
      const mutated = mutateJsonBody(rng, template);
      name = `body:${mutated.name}`;
      body = mutated.body;
    } else if (template !== undefined) {
      body = Buffer.from(JSON.stringify(template));
    }
    if (generator === 'bad-content-type') {
      headers['content-type'] = rng.pick([
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded',
        '',
      ]);
      if (headers['content-type'] === '') delete headers['content-type'];
      body ??= Buffer.from('{}');
    }
  }
  return { ...base, generator: name, method, path, headers, body, route: key };
}
