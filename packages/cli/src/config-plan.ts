// What `apply` would change: the desired config (a file) against what the server holds, compared field by
// field after both pass through the same normalizer (so a default left out of the file is no change),
// as a list of creates, updates (with each changed field) and deletes, plus what stays as it is.
import {
  normalizeProcessor,
  normalizeProducer,
  normalizeSource,
  type ProcessorConfig,
  type ProcessorInput,
  type ProducerConfig,
  type ProducerInput,
  type SourceConfig,
} from '@eventyard/evhub';

/** What GET shows instead of a stored secret. */
export const REDACTED = '[redacted]';
const SECRET_FIELDS = new Set(['webhook_secret', 'auth_token']);

export type ObjectKind = 'processor' | 'producer' | 'source';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface PlanStep {
  action: 'create' | 'update' | 'delete' | 'unchanged';
  kind: ObjectKind;
  /** dispatcher_id, app_id/topic_id, or source_id. */
  id: string;
  /** The server's version (update, delete, unchanged); absent for a create. */
  version?: number;
  /** The fields an update changes. */
  changes?: FieldChange[];
  /** What is written (create, update). */
  desired?: ProcessorConfig | ProducerConfig | SourceConfig;
  /** A producer's key (its id joins them with "/", which either part may contain). */
  producerKey?: { app_id: string; topic_id: string };
}

/** A server record: a config plus version and timestamps, secrets redacted. */
export type ServerRecord = Record<string, unknown> & { version: number };

export interface PlanInput {
  processors?: { desired: readonly ProcessorConfig[]; current: readonly ServerRecord[]; deletes: boolean };
  producers?: { desired: readonly ProducerConfig[]; current: readonly ServerRecord[]; deletes: boolean };
  sources?: { desired: readonly SourceConfig[]; current: readonly ServerRecord[]; deletes: boolean };
}

export function planChanges(input: PlanInput): PlanStep[] {
  const steps: PlanStep[] = [];
  if (input.producers !== undefined) {
    const current = new Map(input.producers.current.map((record) => [producerId(record), record]));
    for (const desired of input.producers.desired) {
      const id = producerId(desired);
      steps.push(compare('producer', id, desired, current.get(id), (record) => normalizeProducer(record as unknown as ProducerInput)));
    }
    if (input.producers.deletes) {
      const wanted = new Set(input.producers.desired.map(producerId));
      for (const [id, record] of current) {
        if (wanted.has(id)) continue;
        steps.push({
          action: 'delete',
          kind: 'producer',
          id,
          version: record.version,
          producerKey: { app_id: String(record.app_id), topic_id: String(record.topic_id) },
        });
      }
    }
  }
  if (input.processors !== undefined) {
    const current = new Map(input.processors.current.map((record) => [String(record.dispatcher_id), record]));
    for (const desired of input.processors.desired) {
      let record = current.get(desired.dispatcher_id);
      // A webhook always has a secret: the admin keeps (or generates) one when the file names none, so a
      // file without a secret matches a server that has one.
      if (record !== undefined && desired.protocol_type === 'httpSend' && desired.webhook_secret === null) record = { ...record, webhook_secret: null };
      steps.push(compare('processor', desired.dispatcher_id, desired, record, normalizeServerProcessor));
    }
    if (input.processors.deletes) {
      const wanted = new Set(input.processors.desired.map((p) => p.dispatcher_id));
      for (const [id, record] of current) if (!wanted.has(id)) steps.push({ action: 'delete', kind: 'processor', id, version: record.version });
    }
  }
  if (input.sources !== undefined) {
    const current = new Map(input.sources.current.map((record) => [String(record.source_id), record]));
    for (const desired of input.sources.desired)
      steps.push(compare('source', desired.source_id, desired, current.get(desired.source_id), normalizeServerSource));
    if (input.sources.deletes) {
      const wanted = new Set(input.sources.desired.map((s) => s.source_id));
      for (const [id, record] of current) if (!wanted.has(id)) steps.push({ action: 'delete', kind: 'source', id, version: record.version });
    }
  }
  return steps;
}

function normalizeServerSource(record: ServerRecord): SourceConfig {
  const { version: _version, created_at: _created, updated_at: _updated, ...rest } = record;
  return normalizeSource(rest);
}

function compare<T extends object>(
  kind: ObjectKind,
  id: string,
  desired: T,
  record: ServerRecord | undefined,
  normalize: (record: ServerRecord) => T,
): PlanStep {
  if (record === undefined) return { action: 'create', kind, id, desired: desired as PlanStep['desired'] & object };
  const changes = diffFields(normalize(record) as Record<string, unknown>, desired as Record<string, unknown>);
  return changes.length === 0
    ? { action: 'unchanged', kind, id, version: record.version }
    : { action: 'update', kind, id, version: record.version, changes, desired: desired as PlanStep['desired'] & object };
}

/** The server's processor as the normalizer sees it; a redacted secret stays the marker. */
function normalizeServerProcessor(record: ServerRecord): ProcessorConfig {
  const { version: _version, created_at: _created, updated_at: _updated, ...rest } = record;
  return normalizeProcessor(rest as unknown as ProcessorInput);
}

/**
 * Changed fields, nested objects compared per field (`retry_strategy.retry_count`). A secret is write-only:
 * the server shows only that one is set, so a set secret counts as unchanged whatever its value; setting
 * one, removing one, or any other change (which writes the file's secret too) is what apply can see.
 */
function diffFields(from: Record<string, unknown>, to: Record<string, unknown>, prefix = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const name = `${prefix}${field}`;
    const a = from[field];
    const b = to[field];
    if (SECRET_FIELDS.has(name)) {
      if ((a === null || a === undefined) !== (b === null || b === undefined))
        changes.push({ field: name, from: a === null || a === undefined ? null : REDACTED, to: b === null || b === undefined ? null : REDACTED });
      continue;
    }
    if (name !== 'filter' && isRecord(a) && isRecord(b)) changes.push(...diffFields(a, b, `${name}.`));
    else if (canonical(a) !== canonical(b)) changes.push({ field: name, from: a, to: b });
  }
  return changes;
}

function producerId(record: Record<string, unknown> | ProducerConfig): string {
  return `${String(record.app_id)}/${String(record.topic_id)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys, so `{a, b}` equals `{b, a}`; undefined and null are the same absence. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `+ create processor billing`, `~ update processor x: timeout 3000 → 5000`, `- delete processor y`. */
export function describeStep(step: PlanStep): string {
  switch (step.action) {
    case 'create':
      return `+ create ${step.kind} ${step.id}`;
    case 'delete':
      return `- delete ${step.kind} ${step.id}`;
    case 'update':
      return `~ update ${step.kind} ${step.id}: ${(step.changes ?? []).map((change) => `${change.field} ${shown(change.from)} → ${shown(change.to)}`).join(', ')}`;
    case 'unchanged':
      return `= ${step.kind} ${step.id} unchanged`;
  }
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  if (value === '') return '""';
  if (typeof value === 'string') return /[\s,→]/.test(value) ? JSON.stringify(value) : value;
  return typeof value === 'object' ? canonical(value) : String(value);
}
