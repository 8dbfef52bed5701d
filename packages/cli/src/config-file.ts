// The declarative config file of `eventyard apply` (YAML or JSON): lists of EvHub `producer_conf_info`
// and `processor_conf_info` objects, field names exactly as the admin API takes them. Everything is checked
// here, before any call, so a bad file fails with one line naming the file, the entry and the field:
// types and unknown fields as the admin's schema refuses them, then the value rules the admin applies
// too, both from @eventyard/evhub's one description of the config objects.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { EventyardError, isEventyardError } from '@eventyard/core/foundation';
import { CliErrors } from './error-codes.ts';
import {
  checkProcessorTypes,
  checkProducerTypes,
  normalizeProcessor,
  normalizeProducer,
  normalizeSource,
  type ProcessorConfig,
  type SourceConfig,
  type ProcessorInput,
  type ProducerConfig,
  type ProducerInput,
} from '@eventyard/evhub';

export interface ConfigFile {
  path: string;
  producers: ProducerConfig[];
  processors: ProcessorConfig[];
  /** Kafka topics read as sources (`/v1/sources`). */
  sources: SourceConfig[];
  /** Apps whose config the file owns: those its entries name, plus its optional `app_ids` list. */
  appIds: string[];
}

/** A file, entry and field problem, as one line. */
export function fileError(path: string, message: string): EventyardError {
  return new EventyardError(CliErrors.EY_CLI_CONFIG_FILE_INVALID, `eventyard: ${path}: ${message}`, { context: { file: path } });
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
  if (!isPlainObject(root)) throw fileError(path, 'must be a mapping with "producers", "processors" and/or "sources" lists');
  for (const key of Object.keys(root)) {
    if (key !== 'producers' && key !== 'processors' && key !== 'sources' && key !== 'app_ids')
      throw fileError(path, `unknown top-level key "${key}" (expected producers, processors, sources, app_ids)`);
  }
  const producers = entries(path, root, 'producers').map((entry, index) => checkProducer(path, entry, index));
  const processors = entries(path, root, 'processors').map((entry, index) => checkProcessor(path, entry, index));
  const sources = entries(path, root, 'sources').map((entry, index) => checkSource(path, entry, index));
  const extraApps = root.app_ids ?? [];
  if (!Array.isArray(extraApps) || !extraApps.every((appId) => typeof appId === 'string' && appId !== '')) {
    throw fileError(path, 'app_ids must be a list of app ids');
  }
  unique(
    path,
    'processors',
    processors.map((p) => p.dispatcher_id),
    (id) => `dispatcher_id "${id}"`,
  );
  unique(
    path,
    'producers',
    producers.map((p) => `${p.app_id}/${p.topic_id}`),
    (id) => `producer "${id}"`,
  );
  unique(
    path,
    'sources',
    sources.map((s) => s.source_id),
    (id) => `source_id "${id}"`,
  );
  const appIds = [
    ...new Set([...producers.map((p) => p.app_id), ...processors.map((p) => p.app_id), ...sources.map((s) => s.app_id), ...(extraApps as string[])]),
  ].sort();
  return { path, producers, processors, sources, appIds };
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
  return checked(path, where, () => normalizeProcessor(checkProcessorTypes(entry) as unknown as ProcessorInput));
}

function checkProducer(path: string, entry: unknown, index: number): ProducerConfig {
  const id = isPlainObject(entry) && typeof entry.app_id === 'string' && typeof entry.topic_id === 'string' ? ` (${entry.app_id}/${entry.topic_id})` : '';
  const where = `producers[${index}]${id}`;
  return checked(path, where, () => normalizeProducer(checkProducerTypes(entry) as unknown as ProducerInput));
}

function checkSource(path: string, entry: unknown, index: number): SourceConfig {
  const id = isPlainObject(entry) && typeof entry.source_id === 'string' ? ` (${entry.source_id})` : '';
  return checked(path, `sources[${index}]${id}`, () => normalizeSource(entry));
}

/** Runs the checks of one entry, turning their error into one line naming the file and the entry. */
function checked<T>(path: string, where: string, normalize: () => T): T {
  try {
    return normalize();
  } catch (err) {
    if (isEventyardError(err)) throw fileError(path, `${where}: ${err.message}`);
    throw err;
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
