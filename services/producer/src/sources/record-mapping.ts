// How one record of a source topic becomes a Report (the source's `mapping`): `data` from the value (a
// JSON document, or any bytes), `orderingKey` from the record key or a header, tags from headers, the
// idempotency key from a header, and `event_source` saying where it came from (`kafka:<source_id>`,
// `<topic>/<partition>/<offset>`). A record the mapping cannot take (a value that is not JSON when JSON
// is required, a mapped header that is missing) gets the reason instead, for the dead-letter topic.
import type { SourceConfig } from '@eventyard/evhub';
import type { ReportReq__Output } from '@eventyard/proto';
import type { IHeaders } from 'kafkajs';

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export type MappedRecord = { ok: true; request: ReportReq__Output } | { ok: false; reason: string };

/** The `event_source.source` of events read from a source. */
export function eventSourceOf(sourceId: string): string {
  return `kafka:${sourceId}`;
}

export function mapRecord(source: Pick<SourceConfig, 'source_id' | 'app_id' | 'topic_id' | 'mapping'>, record: SourceRecord): MappedRecord {
  const { mapping } = source;
  const value = record.value ?? Buffer.alloc(0);
  if (mapping.data === 'json') {
    if (record.value === null) return { ok: false, reason: 'value is null (a tombstone) and mapping.data is json' };
    const problem = jsonProblem(value);
    if (problem !== null) return { ok: false, reason: `value is not JSON (mapping.data is json): ${problem}` };
  }
  let orderingKey = '';
  if (mapping.ordering_key.from === 'key') {
    orderingKey = record.key === null ? '' : record.key.toString('utf8');
  } else if (mapping.ordering_key.from === 'header') {
    const header = headerValue(record.headers, mapping.ordering_key.header);
    if (header === undefined) return { ok: false, reason: `header "${mapping.ordering_key.header}" (mapping.ordering_key) is missing` };
    orderingKey = header;
  }
  const tags: string[] = [];
  for (const name of mapping.tag_headers) {
    const tag = headerValue(record.headers, name);
    if (tag !== undefined && tag !== '') tags.push(tag);
  }
  let idempotent: NonNullable<ReportReq__Output['option']>['idempotent'] = null;
  if (mapping.idempotency_key !== null) {
    const key = headerValue(record.headers, mapping.idempotency_key.header);
    if (key === undefined || key.trim() === '')
      return { ok: false, reason: `header "${mapping.idempotency_key.header}" (mapping.idempotency_key) is missing or empty` };
    const windowMs = mapping.idempotency_key.window_ms;
    idempotent = { key, idempotent_time: { seconds: String(Math.floor(windowMs / 1000)), nanos: (windowMs % 1000) * 1_000_000 } };
  }
  return {
    ok: true,
    request: {
      event: {
        app_id: source.app_id,
        topic_id: source.topic_id,
        data: value,
        event_comm: {
          event_source: { source: eventSourceOf(source.source_id), qua: `${record.topic}/${record.partition}/${record.offset}`, create_time: null },
          event_tag: tags.length === 0 ? null : { tag_list: tags },
        },
      },
      trigger: null,
      option: { orderingKey, idempotent },
    },
  };
}

/** The first value of a header as text; undefined when the record does not carry it. */
function headerValue(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function jsonProblem(value: Buffer): string | null {
  try {
    // A fatal decoder: bytes that are not UTF-8 are not JSON text either.
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message.slice(0, 200) : 'unparseable';
  }
}
