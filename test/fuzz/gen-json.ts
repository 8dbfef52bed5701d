// JSON-level cases: the producer's HTTP mirror (EvHub Go-struct JSON and proto3 JSON, broken) and bodies
// for the admin routes. Mutations replace one node of a valid body with a hostile value, or break the
// text itself (truncation, invalid UTF-8, depth, size, content type).
import type { HttpCase } from './cases.ts';
import { BAD_CRONTABS, HOSTILE_NUMBERS, HOSTILE_STRINGS, INVALID_UTF8, hostileString, splice } from './fuzz-values.ts';
import type { Rng } from './prng.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (list of keys/indexes) to a node of `value`, the root included. */
function paths(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function replaceAt(value: Json, path: ReadonlyArray<string | number>, replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  if (typeof value === 'object' && value !== null) return { ...value, [head as string]: replaceAt(value[head as string] as Json, rest, replacement) };
  return value;
}

export function hostileJson(rng: Rng): Json {
  switch (rng.int(0, 7)) {
    case 0:
      return hostileString(rng);
    case 1:
      return rng.pick(HOSTILE_NUMBERS);
    case 2:
      return rng.pick([null, true, false]);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return [hostileString(rng), rng.pick(HOSTILE_NUMBERS)];
    case 6:
      return { seconds: rng.pick<Json>([-1, '1e9', 'abc', 2 ** 63, null]), nanos: rng.pick<Json>([-1, 1e9, 1.5, '1']) };
    default:
      return rng.pick(BAD_CRONTABS);
  }
}

/** One mutation of a valid JSON body; returns its name and the body as bytes. */
export function mutateJsonBody(rng: Rng, valid: Json): { name: string; body: Buffer; nulFields: string[] } {
  const kind = rng.weighted({
    'replace-node': 6,
    'nul-string': 3,
    'lone-surrogate': 2,
    'invalid-utf8': 2,
    'unknown-field': 2,
    truncated: 2,
    deep: 1,
    huge: 1,
    'not-an-object': 1,
    garbage: 1,
    'duplicate-keys': 1,
  } as const);
  const all = paths(valid);
  const stringPaths = all.filter((p) => typeof p.reduce<Json>((v, k) => (v as Record<string, Json>)[k] as Json, valid) === 'string');
  switch (kind) {
    case 'replace-node': {
      const path = rng.pick(all.slice(1).length > 0 ? all.slice(1) : all);
      const hostile = hostileJson(rng);
      // A hostile string may itself hold a NUL: name the field, as for nul-string.
      const field = String(path.filter((k) => typeof k === 'string').at(-1) ?? '');
      return {
        name: 'wrong-type',
        body: Buffer.from(JSON.stringify(replaceAt(valid, path, hostile))),
        nulFields: JSON.stringify(hostile).includes('\\u0000') ? [field] : [],
      };
    }
    case 'nul-string':
    case 'lone-surrogate': {
      if (stringPaths.length === 0) return { name: kind, body: Buffer.from(JSON.stringify(valid)), nulFields: [] };
      const path = rng.pick(stringPaths);
      const current = path.reduce<Json>((v, k) => (v as Record<string, Json>)[k] as Json, valid) as string;
      const needle = kind === 'nul-string' ? '\u0000' : rng.pick(['\ud800', '\udfff', '\ud83d']);
      const field = String(path.filter((k) => typeof k === 'string').at(-1) ?? '');
      return {
        name: kind,
        body: Buffer.from(JSON.stringify(replaceAt(valid, path, splice(rng, current, needle)))),
        nulFields: kind === 'nul-string' ? [field] : [],
      };
    }
    case 'invalid-utf8': {
      const text = Buffer.from(JSON.stringify(valid));
      // Inside a string literal when possible: after an opening quote.
      const quotes = [...text.keys()].filter((i) => text[i] === 0x22);
      const at = quotes.length > 0 ? rng.pick(quotes) + 1 : rng.int(0, text.length);
      return { name: kind, body: Buffer.concat([text.subarray(0, at), rng.pick(INVALID_UTF8), text.subarray(at)]), nulFields: [] };
    }
    case 'unknown-field': {
      const objects = all.filter((p) => {
        const v = p.reduce<Json>((x, k) => (x as Record<string, Json>)[k] as Json, valid);
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      });
      const path = rng.pick(objects);
      const target = path.reduce<Json>((x, k) => (x as Record<string, Json>)[k] as Json, valid) as Record<string, Json>;
      const key = rng.pick(['__proto__', 'constructor', 'prototype', rng.word(), '', '\u0000', 'x'.repeat(300)]);
      const text = JSON.stringify(replaceAt(valid, path, { ...target, [key === '__proto__' ? 'placeholder__' : key]: hostileJson(rng) }));
      // JSON.stringify drops a real "__proto__" key; write it into the text instead.
      return {
        name: key === '__proto__' ? 'proto-pollution' : kind,
        body: Buffer.from(key === '__proto__' ? text.replace('"placeholder__"', '"__proto__"') : text),
        nulFields: [],
      };
    }
    case 'truncated': {
      const text = Buffer.from(JSON.stringify(valid));
      return { name: kind, body: text.subarray(0, rng.int(0, Math.max(0, text.length - 1))), nulFields: [] };
    }
    case 'deep': {
      const depth = rng.pick([64, 1000, 10_000, 100_000]);
      const open = rng.chance(0.5) ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      const deepValue = open.repeat(depth) + '1' + close.repeat(depth);
      const path = rng.pick(all);
      const text = JSON.stringify(replaceAt(valid, path, '__DEEP__')).replace('"__DEEP__"', deepValue);
      return { name: `deep-json`, body: Buffer.from(text), nulFields: [] };
    }
    case 'huge': {
      const path = rng.pick(all);
      const size = rng.pick([100_000, 1_048_000, 1_100_000, 3_000_000]);
      const value: Json = rng.chance(0.5) ? 'y'.repeat(size) : Array.from({ length: size / 10 }, (_, i) => i);
      return { name: 'huge-json', body: Buffer.from(JSON.stringify(replaceAt(valid, path, value))), nulFields: [] };
    }
    case 'duplicate-keys': {
      const text = JSON.stringify(valid);
      return {
        name: kind,
        body: Buffer.from(text.replace(/^\{/, `{"${Object.keys((valid as Record<string, Json>) ?? {})[0] ?? 'a'}": ${JSON.stringify(hostileJson(rng))},`)),
        nulFields: [],
      };
    }
    case 'not-an-object':
      return { name: kind, body: Buffer.from(rng.pick(['null', '[]', '123', '"str"', 'true', '1e999', '-0', '{}'])), nulFields: [] };
    default:
      return {
        name: 'garbage',
        body: rng.pick([
          Buffer.alloc(0),
          rng.bytes(rng.int(1, 300)),
          Buffer.from('{"a":'),
          Buffer.from('\ufeff{}'),
          Buffer.from('{"a":1}{"b":2}'),
          Buffer.from(' '.repeat(1000)),
        ]),
        nulFields: [],
      };
  }
}

function base64Of(rng: Rng): string {
  return rng.bytes(rng.int(0, 48)).toString('base64');
}

/** A valid Report body in EvHub's Go-struct form or in proto3 JSON. */
function validReportJson(rng: Rng): Json {
  const goForm = rng.chance(0.5);
  const app = `fz-${rng.word(2, 6)}`;
  const topic = rng.word();
  const tags = Array.from({ length: rng.int(0, 3) }, () => rng.word());
  const trigger: Json = rng.pick<Json>([
    null,
    goForm ? { trigger_type: 1 } : { triggerType: 'EVENT_TRIGGER_TYPE_REAL_TIME' },
    goForm
      ? { trigger_type: 2, delay_trigger: { delay_time: { seconds: rng.int(1, 3) } } }
      : { triggerType: 'EVENT_TRIGGER_TYPE_DELAY', delayTrigger: { delayTime: `${rng.int(1, 3)}s` } },
    goForm
      ? { trigger_type: 3, repeat_trigger: { end_type: 2, repeat_end: { repeat_times: 2 }, pulser_type: 2, crontab_pulser: { crontab: '@every 2s' } } }
      : {
          triggerType: 'EVENT_TRIGGER_TYPE_REPEAT',
          repeatTrigger: {
            endType: 'EVENT_REPEAT_END_TYPE_END_BY_COUNT',
            repeatEnd: { repeatTimes: 2 },
            pulserType: 'EVENT_PULSER_TYPE_BY_INTERVAL',
            regularPulser: { interval: '2s' },
          },
        },
  ]);
  const event: Json = goForm
    ? {
        app_id: app,
        topic_id: topic,
        event_comm: { event_source: { source: rng.word(), qua: rng.word() }, event_tag: { tag_list: tags } },
        data: base64Of(rng),
      }
    : {
        appId: app,
        topicId: topic,
        eventComm: { eventSource: { source: rng.word(), createTime: '2027-01-15T08:00:00Z' }, eventTag: { tagList: tags } },
        data: base64Of(rng),
      };
  const option: Json = rng.chance(0.5) ? { orderingKey: rng.word() } : null;
  return { event, ...(trigger === null ? {} : { trigger }), ...(option === null ? {} : { option }) };
}

function validPrepareJson(rng: Rng): Json {
  const report = validReportJson(rng) as Record<string, Json>;
  return {
    event: report.event as Json,
    txCallback: { Endpoint: { protocol_type: 5, address: `127.0.0.1:${rng.int(1, 3)}/cb`, timeout: { seconds: 1 } }, callback_interval: { seconds: 300 } },
  };
}

const PRODUCER_ROUTES = ['/v1/report', '/v1/prepare', '/v1/commit', '/v1/rollback'] as const;

/** One case for the producer's HTTP mirror. */
export function producerHttpCase(rng: Rng, index: number): HttpCase {
  const route = rng.weighted({ '/v1/report': 8, '/v1/prepare': 2, '/v1/commit': 2, '/v1/rollback': 1, other: 1 } as const);
  const headers: Record<string, string> = {
    'content-type': rng.weighted({
      'application/json': 8,
      'text/plain': 1,
      'application/x-www-form-urlencoded': 1,
      'application/json; charset=latin1': 1,
      '': 1,
    } as const),
  };
  if (headers['content-type'] === '') delete headers['content-type'];
  if (route === 'other') {
    const method = rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'POST']);
    const path = rng.pick([
      `/v1/report/${rng.word()}`,
      '/v2/report',
      '/',
      '/v1/%00',
      `/v1/report?${'a=1&'.repeat(200)}`,
      `/${'x'.repeat(5000)}`,
      ...PRODUCER_ROUTES.filter(() => method !== 'POST'),
    ]);
    return {
      index,
      target: 'http',
      generator: 'unknown-route',
      method,
      path,
      headers,
      body: method === 'GET' ? undefined : Buffer.from('{}'),
      route: path,
      nulFields: [],
    };
  }
  let valid: Json;
  if (route === '/v1/report') valid = validReportJson(rng);
  else if (route === '/v1/prepare') valid = validPrepareJson(rng);
  else
    valid = {
      eventID: rng.pick<Json>([String(rng.u32()), '', '0', '-5', 'abc', 12345, null, '1\u00002', '9'.repeat(30)]),
      ...(route === '/v1/commit' && rng.chance(0.5) ? { trigger: { trigger_type: 1 } } : {}),
    };
  if (rng.chance(0.2)) {
    // Valid (for a report: acknowledged, and then must be in the history).
    return {
      index,
      target: 'http',
      generator: 'valid',
      method: 'POST',
      path: route,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(valid)),
      route,
      nulFields: [],
    };
  }
  if (route === '/v1/report' && rng.chance(0.3)) {
    // Semantic mutations of the trigger: unknown enums, bad times and crontabs.
    const trigger = rng.pick<Json>([
      { trigger_type: rng.pick<Json>([5, 99, -1, 1.5, '99', 'EVENT_TRIGGER_TYPE_NOPE', 2 ** 31]) },
      {
        triggerType: 'EVENT_TRIGGER_TYPE_DELAY',
        delayTrigger: { delayTime: rng.pick<Json>(['5x', '-5s', '1e20s', '99999999999999999999s', '0.0000000001s', '', 's', '2592001s']) },
      },
      {
        trigger_type: 2,
        delay_trigger: { delay_time: { seconds: rng.pick<Json>([-1, '1e9', 2 ** 63, 1.5, null]), nanos: rng.pick<Json>([0, -1, 1e9, 2 ** 31]) } },
      },
      {
        trigger_type: 3,
        repeat_trigger: {
          begin_time: rng.pick<Json>(['2026-02-30T00:00:00Z', 'not a date', { seconds: 253_402_300_800 }, '0000-01-01T00:00:00Z', '2027-01-15T08:00:00+25:00']),
          end_type: 2,
          repeat_end: { repeat_times: 2 },
          pulser_type: 2,
          crontab_pulser: { crontab: '@every 2s' },
        },
      },
      {
        trigger_type: 3,
        repeat_trigger: {
          end_type: rng.pick<Json>([0, 1, 2, 3, 'X']),
          repeat_end: { repeat_times: rng.pick<Json>([-1, 2 ** 32, 0]) },
          pulser_type: 2,
          crontab_pulser: { crontab: rng.pick(BAD_CRONTABS) },
        },
      },
      {
        trigger_type: 3,
        repeat_trigger: {
          end_type: 2,
          repeat_end: { repeat_times: 2 },
          pulser_type: 1,
          regular_pulser: { interval: rng.pick<Json>(['0s', '0.5s', { seconds: 0, nanos: 999_999_999 }, '-1s']) },
        },
      },
    ]);
    const body = { ...(valid as Record<string, Json>), trigger };
    return {
      index,
      target: 'http',
      generator: 'bad-trigger',
      method: 'POST',
      path: route,
      headers,
      body: Buffer.from(JSON.stringify(body)),
      route,
      nulFields: [],
    };
  }
  const mutated = mutateJsonBody(rng, valid);
  return {
    index,
    target: 'http',
    generator: mutated.name,
    method: 'POST',
    path: route,
    headers,
    body: mutated.body,
    route,
    nulFields: route === '/v1/report' ? mutated.nulFields : [],
  };
}

export { HOSTILE_STRINGS };
