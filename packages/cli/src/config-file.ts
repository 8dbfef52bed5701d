// The declarative config file of `eventyard apply` (YAML or JSON): lists of EvHub `producer_conf_info`
// and `processor_conf_info` objects, field names exactly as the admin API takes them. Everything is checked
// here, before any call, so a bad file fails with one line naming the file, the entry and the field.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { EventyardError, isEventyardError } from '@eventyard/core';
import { normalizeProcessor, normalizeProducer, type ProcessorConfig, type ProcessorInput, type ProducerConfig, type ProducerInput } from '@eventyard/db';

type Kind = 'string' | 'integer' | 'boolean' | 'object' | 'nullable-string' | 'nullable-boolean' | 'nullable-object';

interface FieldSpec {
  kind: Kind;
  required?: boolean;
  /** Allowed values of a string field. */
  oneOf?: readonly string[];
  /** Fields of an object field (unknown ones refused); absent = any JSON object. */
  fields?: Record<string, FieldSpec>;
  /** Type of every value of an object field (filter_tag's booleans). */
  values?: Kind;
}

// The same types the admin API's JSON schemas enforce (services/admin/src/routes/config-schemas.ts), kept
// here because the CLI talks to a remote admin and must not load the service's code. Value rules beyond
// types (dispatcher_id characters, ranges, lengths) come from @eventyard/db's normalizers, which the
// admin runs too, so the two cannot disagree there.
const PROCESSOR_FIELDS: Record<string, FieldSpec> = {
  dispatcher_id: { kind: 'string', required: true },
  app_id: { kind: 'string', required: true },
  topic_id: { kind: 'string', required: true },
  protocol_type: { kind: 'string', required: true, oneOf: ['grpcSend', 'httpSend'] },
  addr: { kind: 'string', required: true },
  timeout: { kind: 'integer' },
  retry_strategy: {
    kind: 'nullable-object',
    fields: { retry_count: { kind: 'integer' }, retry_interval: { kind: 'integer' }, strategy_type: { kind: 'string' }, max_interval: { kind: 'integer' } },
  },
  is_retry: { kind: 'nullable-boolean' },
  is_flow_control: { kind: 'boolean' },
  flow_control_strategy: { kind: 'nullable-object', fields: { qps: { kind: 'integer' }, strategy_type: { kind: 'string' } } },
  is_stop: { kind: 'boolean' },
  filter_tag: { kind: 'nullable-object', values: 'boolean' },
  delay_process_key: { kind: 'string' },
  filter: { kind: 'nullable-object' },
  ordered: { kind: 'boolean' },
  paused: { kind: 'boolean' },
  concurrency: { kind: 'integer' },
  webhook_secret: { kind: 'nullable-string' },
  auth_token: { kind: 'nullable-string' },
  owner: { kind: 'nullable-string' },
  description: { kind: 'string' },
};

const PRODUCER_FIELDS: Record<string, FieldSpec> = {
  app_id: { kind: 'string', required: true },
  topic_id: { kind: 'string', required: true },
  tx_protocol_type: { kind: 'integer' },
  tx_address: { kind: 'string' },
  tx_timeout: { kind: 'integer' },
  tx_callback_interval: { kind: 'integer' },
  qps: { kind: 'integer' },
  msg_size: { kind: 'integer' },
  total_msg: { kind: 'integer' },
  storage_period: { kind: 'integer' },
};

/** Set by the server: accepted (a `get -o json` answer pasted into a file) and ignored. */
const READ_ONLY = new Set(['version', 'created_at', 'updated_at']);

export interface ConfigFile {
  path: string;
  producers: ProducerConfig[];
  processors: ProcessorConfig[];
  /** Apps whose config the file owns: those its entries name, plus its optional `app_ids` list. */
  appIds: string[];
}

/** A file, entry and field problem, as one line. */
export function fileError(path: string, message: string): EventyardError {
  return new EventyardError('validation', 'EY_CLI_CONFIG_FILE_INVALID', `eventyard: ${path}: ${message}`, { context: { file: path } });
}

/** Reads and validates a config file; `processorsOnly` also accepts a bare list or a single processor. */
export function loadConfigFile(path: string, options: { processorsOnly?: boolean } = {}): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(path, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseConfigFile(path, text, options);
}

export function parseConfigFile(path: string, text: string, options: { processorsOnly?: boolean } = {}): ConfigFile {
  // YAML 1.2 is a superset of JSON, so one parser reads both; duplicate keys are errors.
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [syntax] = document.errors;
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    // The pretty message's first line ends "at line L, column C:"; the code frame below it is left out.
    const message = (syntax.message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw fileError(path, `${at === undefined ? '' : `line ${at.line}, column ${at.col}: `}${message || 'not valid YAML or JSON'}`);
  }
  let root: unknown = document.toJS({ maxAliasCount: 100 });
  if (options.processorsOnly === true) {
    if (Array.isArray(root)) root = { processors: root };
    else if (isPlainObject(root) && 'dispatcher_id' in root) root = { processors: [root] };
  }
  if (!isPlainObject(root)) throw fileError(path, 'must be a mapping with "producers" and/or "processors" lists');
  for (const key of Object.keys(root)) {
    if (key !== 'producers' && key !== 'processors' && key !== 'app_ids') throw fileError(path, `unknown top-level key "${key}" (expected producers, processors, app_ids)`);
  }
  const producers = entries(path, root, 'producers').map((entry, index) => checkProducer(path, entry, index));
  const processors = entries(path, root, 'processors').map((entry, index) => checkProcessor(path, entry, index));
  const extraApps = root.app_ids ?? [];
  if (!Array.isArray(extraApps) || !extraApps.every((appId) => typeof appId === 'string' && appId !== '')) {
    throw fileError(path, 'app_ids must be a list of app ids');
  }
  unique(path, 'processors', processors.map((p) => p.dispatcher_id), (id) => `dispatcher_id "${id}"`);
  unique(path, 'producers', producers.map((p) => `${p.app_id}/${p.topic_id}`), (id) => `producer "${id}"`);
  const appIds = [...new Set([...producers.map((p) => p.app_id), ...processors.map((p) => p.app_id), ...(extraApps as string[])])].sort();
  return { path, producers, processors, appIds };
}

function entries(path: string, root: Record<string, unknown>, key: string): unknown[] {
  const value = root[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fileError(path, `${key} must be a list`);
  return value;
}

function checkProcessor(path: string, entry: unknown, index: number): ProcessorConfig {
  const id = isPlainObject(entry) && typeof entry.dispatcher_id === 'string' ? ` (${entry.dispatcher_id})` : '';
  const where = `processors[${index}]${id}`;
  const input = checkFields(path, where, entry, PROCESSOR_FIELDS);
  return normalized(path, where, () => normalizeProcessor(input as unknown as ProcessorInput));
}

function checkProducer(path: string, entry: unknown, index: number): ProducerConfig {
  const id = isPlainObject(entry) && typeof entry.app_id === 'string' && typeof entry.topic_id === 'string' ? ` (${entry.app_id}/${entry.topic_id})` : '';
  const where = `producers[${index}]${id}`;
  const input = checkFields(path, where, entry, PRODUCER_FIELDS);
  return normalized(path, where, () => normalizeProducer(input as unknown as ProducerInput));
}

function normalized<T>(path: string, where: string, normalize: () => T): T {
  try {
    return normalize();
  } catch (err) {
    if (isEventyardError(err)) throw fileError(path, `${where}: ${err.message}`);
    throw err;
  }
}

/** Types and unknown fields, as the admin's schema would refuse them; returns the entry without read-only fields. */
function checkFields(path: string, where: string, entry: unknown, specs: Record<string, FieldSpec>): Record<string, unknown> {
  if (!isPlainObject(entry)) throw fileError(path, `${where}: must be a mapping of fields`);
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (READ_ONLY.has(name)) continue;
    const spec = specs[name];
    if (spec === undefined) throw fileError(path, `${where}: ${name} is not a known field`);
    checkValue(path, where, name, value, spec);
    input[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required === true && entry[name] === undefined) throw fileError(path, `${where}: ${name} is required`);
  }
  return input;
}

function checkValue(path: string, where: string, field: string, value: unknown, spec: FieldSpec): void {
  const fail = (problem: string) => fileError(path, `${where}: ${field} ${problem}`);
  if (value === null && (spec.kind === 'nullable-string' || spec.kind === 'nullable-boolean' || spec.kind === 'nullable-object')) return;
  switch (spec.kind) {
    case 'string':
    case 'nullable-string':
      if (typeof value !== 'string') throw fail('must be a string');
      if (spec.oneOf !== undefined && !spec.oneOf.includes(value)) throw fail(`must be one of ${spec.oneOf.join(', ')}`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw fail('must be an integer');
      if (value < 0) throw fail('must be a non-negative integer');
      return;
    case 'boolean':
    case 'nullable-boolean':
      if (typeof value !== 'boolean') throw fail('must be true or false');
      return;
    case 'object':
    case 'nullable-object': {
      if (!isPlainObject(value)) throw fail('must be a mapping');
      for (const [name, inner] of Object.entries(value)) {
        if (spec.fields !== undefined) {
          const innerSpec = spec.fields[name];
          if (innerSpec === undefined) throw fileError(path, `${where}: ${field}.${name} is not a known field`);
          checkValue(path, where, `${field}.${name}`, inner, innerSpec);
        } else if (spec.values !== undefined) {
          checkValue(path, where, `${field}.${name}`, inner, { kind: spec.values });
        }
      }
      return;
    }
  }
}

function unique(path: string, list: string, ids: string[], label: (id: string) => string): void {
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) throw fileError(path, `${list}[${index}]: ${label(id)} appears twice`);
    seen.add(id);
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
