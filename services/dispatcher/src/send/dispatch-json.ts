// The JSON body `httpSend` POSTs: a `DispatchReq` in EvHub's Go-struct JSON form, what Go's
// encoding/json makes of the generated structs, so an EvHub HTTP consumer decodes it unchanged:
// proto field names (`event_id`, `event_comm`, `tag_list`), bytes as standard base64, enums as numbers,
// Timestamp/Duration as `{"seconds": n, "nanos": n}` with numbers. Unlike Go's `omitempty` we always
// write the five top-level fields (a Go decoder does not mind, and other consumers need not guess);
// absent nested messages are left out.
import type { Event__Output } from '@eventyard/proto';

/** A DispatchReq as the dispatcher builds it. */
export interface DispatchRequest {
  event_id: string;
  event: Event__Output | null;
  retry_times: number;
  repeat_times: number;
  pass_back: Buffer;
}

export function dispatchReqJson(req: DispatchRequest): string {
  return JSON.stringify({
    event_id: req.event_id,
    event: goJson(req.event) ?? null,
    retry_times: req.retry_times,
    repeat_times: req.repeat_times,
    pass_back: req.pass_back.toString('base64'),
  });
}

function goJson(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map((item) => goJson(item) ?? null);
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
    // int64 `seconds` of Timestamp/Duration are decimal strings after decoding (exact beyond 2^53);
    // Go writes them as JSON numbers, and real times are far below 2^53.
    const converted = name === 'seconds' && typeof field === 'string' && /^-?\d+$/.test(field) ? Number(field) : goJson(field);
    if (converted !== undefined) out[name] = converted;
  }
  return out;
}
