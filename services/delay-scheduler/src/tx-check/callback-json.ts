// EvHub's Go-struct JSON of a CallbackReq, the body an HTTP JSON check-back (protocol_type 5) receives:
// proto field names as written, numeric enums, bytes as base64, Duration/Timestamp as {"seconds","nanos"}
// with numeric seconds, and (like Go's `omitempty` tags) absent messages and empty values left out.
import type { CallbackReq } from '@eventyard/proto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function callbackReqJson(req: CallbackReq): Json {
  return goJson(req) ?? {};
}

function goJson(value: unknown, key = ''): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.length === 0 ? undefined : Buffer.from(value).toString('base64');
  // int64 fields (Duration/Timestamp seconds) are decimal strings in the loader's shape; Go writes numbers.
  if (key === 'seconds') return Number(value) === 0 ? undefined : Number(value);
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return value === 0 ? undefined : value;
  if (typeof value === 'boolean') return value ? true : undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => goJson(item) ?? null);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [name, field] of Object.entries(value)) {
      const converted = goJson(field, name);
      if (converted !== undefined) out[name] = converted;
    }
    return out;
  }
  return undefined;
}
