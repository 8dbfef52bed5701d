// A webhook delivery as a CloudEvent 1.0 over HTTP (https://github.com/cloudevents/spec, http binding),
// for processors with `webhook_format: cloudevents_binary | cloudevents_structured`:
//   id = event_id · source = app_id · type = topic_id · time = the event's event_source.create_time
//   (a CloudEvent's own `time` at ingest), else when it was reported ·
//   datacontenttype = application/json when the payload is JSON, else application/octet-stream ·
//   traceparent = the event's · extensions eytags (comma-separated tags), eyretrytimes, eyrepeattimes.
// Binary mode sends the payload itself as the body with the attributes in `ce-*` headers; structured
// mode sends one `application/cloudevents+json` object (`data` for JSON, `data_base64` otherwise).
// Written here rather than with the `cloudevents` SDK: the mapping is a dozen fixed attributes, and the
// SDK would re-serialise the payload we must send byte for byte (and sign).
import type { Timestamp__Output } from '@eventyard/proto';
import type { DispatchRequest } from '../send/dispatch-json.ts';

export type CloudEventMode = 'cloudevents_binary' | 'cloudevents_structured';

export interface CloudEventFacts {
  req: DispatchRequest;
  /** When the event was reported: `time` unless the event carries its own create_time; absent = neither. */
  time?: Date | undefined;
  /** W3C traceparent of the event, or "". */
  traceParent: string;
}

export interface CloudEventRequest {
  body: Buffer;
  /** Lower-case names; content-type included when there is a body. */
  headers: Record<string, string>;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body and headers of a CloudEvents delivery in `mode`. */
export function cloudEventRequest(mode: CloudEventMode, facts: CloudEventFacts): CloudEventRequest {
  const { req } = facts;
  const data = req.event?.data ?? Buffer.alloc(0);
  const json = data.byteLength === 0 ? undefined : jsonOf(data);
  const attributes: Record<string, string | number> = {
    specversion: '1.0',
    id: req.event_id,
    source: req.event?.app_id ?? '',
    type: req.event?.topic_id ?? '',
  };
  const time = eventTimeOf(req.event?.event_comm?.event_source?.create_time) ?? facts.time;
  if (time !== undefined) attributes.time = time.toISOString();
  if (data.byteLength > 0) attributes.datacontenttype = json === undefined ? 'application/octet-stream' : 'application/json';
  if (facts.traceParent !== '') attributes.traceparent = facts.traceParent;
  const tags = req.event?.event_comm?.event_tag?.tag_list ?? [];
  if (tags.length > 0) attributes.eytags = tags.join(',');
  attributes.eyretrytimes = req.retry_times;
  attributes.eyrepeattimes = req.repeat_times;

  if (mode === 'cloudevents_structured') {
    const event: Record<string, unknown> = { ...attributes };
    if (json !== undefined) event.data = json.value;
    else if (data.byteLength > 0) event.data_base64 = Buffer.from(data).toString('base64');
    return { body: Buffer.from(JSON.stringify(event), 'utf8'), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    // The binding puts datacontenttype in Content-Type and traceparent in its own W3C header.
    if (name === 'datacontenttype') headers['content-type'] = String(value);
    else if (name === 'traceparent') headers.traceparent = String(value);
    else headers[`ce-${name}`] = percentEncode(String(value));
  }
  return { body: Buffer.from(data), headers };
}

/** The event's reported time as a Date, or undefined when absent or unusable. */
export function eventTimeOf(reportedAt: Timestamp__Output | null | undefined): Date | undefined {
  if (reportedAt === null || reportedAt === undefined) return undefined;
  const ms = Number(reportedAt.seconds) * 1000 + Math.floor(reportedAt.nanos / 1e6);
  return Number.isFinite(ms) && ms > 0 && ms < 253402300800000 ? new Date(ms) : undefined;
}

function jsonOf(data: Uint8Array): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(UTF8.decode(data)) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * The http binding's header value encoding: space, `"`, `%` and anything outside printable ASCII as
 * percent-encoded UTF-8 (header values are Latin-1 on the wire; app ids and tags may be any Unicode).
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && char !== '"' && char !== '%') out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
