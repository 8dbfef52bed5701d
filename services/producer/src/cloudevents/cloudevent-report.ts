// CloudEvents 1.0 over HTTP (https://github.com/cloudevents/spec, http-protocol-binding.md) into a
// Report, for `POST /v1/cloudevents`: binary mode (attributes in `ce-*` headers, the body is the data)
// and structured mode (one `application/cloudevents+json` object). The mapping (README, "CloudEvents"):
//   specversion  must be "1.0"
//   id           with source, the idempotency key `ce:<source> <id>` (a resent CloudEvent is one event)
//   source       event_comm.event_source.source; also app_id unless the `eyappid` extension is set
//   type         topic_id unless the `eytopicid` extension is set
//   time         event_comm.event_source.create_time
//   data         event.data: binary mode the body as sent; structured mode JSON `data` as JSON text,
//                a string `data` with a non-JSON datacontenttype as its UTF-8, `data_base64` decoded
//   partitionkey option.orderingKey (the CloudEvents partitioning extension)
//   traceparent  the event's trace context (binary mode: the W3C `traceparent` header)
//   eytags       event_comm.event_tag.tag_list, comma-separated
// Written here rather than with the `cloudevents` SDK: we must keep the body's bytes exactly as sent
// (the SDK re-parses JSON data) and name the bad attribute in each 4xx, which its schema errors do not.
import { ValidationError } from '@eventyard/core';
import { messageFromJson } from '@eventyard/evhub';
import type { ReportReq__Output } from '@eventyard/proto';
import { ProducerErrors } from '../error-codes.ts';

export interface CloudEventHttpRequest {
  /** Lower-case header names, as node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as received (undefined when there was none). */
  body: Buffer | undefined;
}

export interface CloudEventReport {
  report: ReportReq__Output;
  mode: 'binary' | 'structured';
  /** W3C traceparent of the event, when it carried one. */
  traceParent?: string;
}

const STRUCTURED = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_ATTRIBUTE = 1024;
/** Attributes read from the event, besides data. */
const STRING_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'datacontenttype',
  'dataschema',
  'subject',
  'partitionkey',
  'traceparent',
  'eyappid',
  'eytopicid',
  'eytags',
] as const;
type Attributes = Partial<Record<(typeof STRING_ATTRIBUTES)[number], string>>;

/** The Report a CloudEvents request carries; throws a ValidationError (400, or 415 for the media type) naming the problem. */
export function cloudEventToReport(request: CloudEventHttpRequest): CloudEventReport {
  const contentType = header(request.headers, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === BATCH) throw unsupported(`batched mode (${BATCH}) is not supported: send one CloudEvent per request`);
  if (mediaType === STRUCTURED) return structured(request.body);
  if (header(request.headers, 'ce-specversion') !== undefined) return binary(request, contentType);
  throw unsupported(
    `not a CloudEvent: send binary mode (ce-specversion, ce-id, ce-source, ce-type headers, the data as the body) or structured mode (Content-Type: ${STRUCTURED})${contentType === undefined ? '' : `; got Content-Type ${contentType} without ce-* headers`}`,
  );
}

function binary(request: CloudEventHttpRequest, contentType: string | undefined): CloudEventReport {
  const attributes: Attributes = {};
  for (const name of STRING_ATTRIBUTES) {
    if (name === 'datacontenttype' || name === 'traceparent') continue;
    const raw = header(request.headers, `ce-${name}`);
    if (raw === undefined) continue;
    try {
      // The binding percent-encodes what a header value cannot carry as is.
      attributes[name] = decodeURIComponent(raw);
    } catch {
      throw invalid(`ce-${name} header is not validly percent-encoded`);
    }
  }
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  const traceParent = header(request.headers, 'traceparent') ?? header(request.headers, 'ce-traceparent');
  if (traceParent !== undefined) attributes.traceparent = traceParent;
  const data = request.body ?? Buffer.alloc(0);
  return { report: toReport(checked(attributes, 'binary'), data), mode: 'binary', ...(traceParent === undefined ? {} : { traceParent }) };
}

function structured(body: Buffer | undefined): CloudEventReport {
  if (body === undefined || body.byteLength === 0) throw invalid(`the body is empty: structured mode needs one CloudEvent as a JSON object`);
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalid(`the body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw invalid('structured mode needs one CloudEvent as a JSON object');
  const record = event as Record<string, unknown>;
  const attributes: Attributes = {};
  for (const name of STRING_ATTRIBUTES) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw invalid(`${name} must be a string`);
    attributes[name] = value;
  }
  const valid = checked(attributes, 'structured');
  let data: Buffer;
  if (record.data !== undefined && record.data_base64 !== undefined) throw invalid('data and data_base64 are both set: give one');
  if (record.data_base64 !== undefined && record.data_base64 !== null) {
    if (typeof record.data_base64 !== 'string' || !BASE64.test(record.data_base64)) throw invalid('data_base64 must be a base64 string');
    data = Buffer.from(record.data_base64, 'base64');
  } else if (record.data === undefined || record.data === null) {
    data = Buffer.alloc(0);
  } else if (typeof record.data === 'string' && !isJsonMediaType(valid.datacontenttype)) {
    data = Buffer.from(record.data, 'utf8');
  } else {
    data = Buffer.from(JSON.stringify(record.data), 'utf8');
  }
  return { report: toReport(valid, data), mode: 'structured', ...(valid.traceparent === undefined ? {} : { traceParent: valid.traceparent }) };
}

type ValidAttributes = Attributes & { id: string; source: string; type: string };

function checked(attributes: Attributes, mode: 'binary' | 'structured'): ValidAttributes {
  const where = (name: string) => (mode === 'binary' ? `ce-${name} header` : name);
  const specversion = attributes.specversion;
  if (specversion === undefined) throw invalid(`${where('specversion')} is required`);
  if (specversion !== '1.0') throw invalid(`specversion ${JSON.stringify(specversion)} is not supported: only CloudEvents 1.0`);
  for (const name of ['id', 'source', 'type'] as const) {
    if (attributes[name] === undefined || attributes[name] === '') throw invalid(`${where(name)} is required (a non-empty string)`);
  }
  for (const [name, value] of Object.entries(attributes)) {
    if (value.length > MAX_ATTRIBUTE) throw invalid(`${where(name)} must be at most ${MAX_ATTRIBUTE} characters`);
  }
  if (/\s/.test(attributes.source ?? '')) throw invalid(`${where('source')} must be a URI-reference (no spaces)`);
  if (attributes.time !== undefined && (!RFC3339.test(attributes.time) || Number.isNaN(Date.parse(attributes.time)))) {
    throw invalid(`${where('time')} must be an RFC 3339 timestamp, e.g. 2026-12-06T10:00:00Z`);
  }
  return attributes as ValidAttributes;
}

function toReport(attributes: ValidAttributes, data: Buffer): ReportReq__Output {
  const tags = (attributes.eytags ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  const json = {
    event: {
      app_id: attributes.eyappid ?? attributes.source,
      topic_id: attributes.eytopicid ?? attributes.type,
      event_comm: {
        event_source: { source: attributes.source, ...(attributes.time === undefined ? {} : { create_time: attributes.time }) },
        event_tag: { tag_list: tags },
      },
      data: data.toString('base64'),
    },
    option: {
      idempotent: { key: `ce:${attributes.source} ${attributes.id}` },
      ...(attributes.partitionkey === undefined ? {} : { orderingKey: attributes.partitionkey }),
    },
  };
  return messageFromJson<ReportReq__Output>('evhub_producer.ReportReq', json);
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

function header(headers: CloudEventHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function invalid(message: string): ValidationError {
  return new ValidationError(ProducerErrors.EY_CLOUDEVENT_INVALID, `cloudevent: ${message}`);
}

function unsupported(message: string): ValidationError {
  return new ValidationError(ProducerErrors.EY_CLOUDEVENT_MEDIA_TYPE, `cloudevent: ${message}`);
}
