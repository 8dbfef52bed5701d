// One description per field of EvHub's config objects (processor_conf_info, producer_conf_info), from
// which every consumer derives what it checks, so the copies cannot drift apart:
// - normalizeFields: value rules and defaults, run before a row is written (@eventyard/db) and to compare
//   a file with the server (`eventyard apply`);
// - checkFieldTypes: JSON types and unknown fields, as the admin API refuses them, for a config file the
//   CLI checks before any call;
// - configJsonSchema: the JSON schema of the admin API's request bodies and of /openapi.json.
import { ValidationError } from '@eventyard/core';
import { EvhubErrors } from '../error-codes.ts';
import { bool, invalid, nonNegativeInt, nullableString, optionalString, plainObject, requiredString, MAX_INT32 } from './field-checks.ts';

export interface ConfigField {
  type: 'string' | 'integer' | 'boolean' | 'object';
  /** The field must be present. */
  required?: boolean;
  /** null is a value of its own (strings: stored as null; booleans: "not set"; objects: same as absent). */
  nullable?: boolean;
  /** Allowed values of a string. */
  enum?: readonly string[];
  /** An object's fields; unknown ones are refused. Absent with `values` absent = any JSON object. */
  fields?: Readonly<Record<string, ConfigField>>;
  /** The type of every value of an object used as a map (filter_tag's booleans). */
  values?: 'boolean';
  /** Strings: longest length (default 255 when required, else 4096); integers: largest value (default 2^31-1). */
  max?: number;
  /** Left out of the normalized object when absent, instead of defaulted. */
  omitWhenAbsent?: boolean;
  /** Replaces the rules above when normalizing (dispatcher_id's topic-name check). */
  normalize?: (value: unknown, field: string) => unknown;
  /** Shown in the JSON schema. */
  description?: string;
}

export type ConfigFields = Readonly<Record<string, ConfigField>>;

/** Set by the server: shown by GET, ignored when written back. */
export const RECORD_FIELDS = ['version', 'created_at', 'updated_at'] as const;

/** Value rules and defaults over `input`, in the table's order; throws EY_INVALID_CONFIG naming the first bad field. */
export function normalizeFields(fields: ConfigFields, input: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = input[name];
    if (field.omitWhenAbsent === true && value === undefined) continue;
    out[name] = normalizeField(field, value, `${prefix}${name}`);
  }
  return out;
}

function normalizeField(field: ConfigField, value: unknown, path: string): unknown {
  if (field.normalize !== undefined) return field.normalize(value, path);
  switch (field.type) {
    case 'string': {
      if (field.enum !== undefined) {
        if (!field.enum.includes(value as string)) throw invalid(path, `must be one of ${field.enum.join(', ')}`);
        return value;
      }
      if (field.required === true) return requiredString(value, path, field.max ?? 255);
      return field.nullable === true ? nullableString(value, path, field.max ?? 4096) : optionalString(value, path, '', field.max ?? 4096);
    }
    case 'integer':
      return nonNegativeInt(value, path, 0, field.max ?? MAX_INT32);
    case 'boolean':
      return field.nullable === true && (value === undefined || value === null) ? null : bool(value, path);
    case 'object': {
      if (field.fields === undefined && field.values === undefined) return value ?? null;
      const object = plainObject(value, path);
      if (field.fields !== undefined) return normalizeFields(field.fields, object, `${path}.`);
      for (const [key, inner] of Object.entries(object)) bool(inner, `${path}.${key}`);
      return object;
    }
  }
}

/**
 * JSON types, required and unknown fields of one config object, as the admin API's schema refuses
 * them; returns the object without RECORD_FIELDS. Throws EY_INVALID_CONFIG: `field problem`, or
 * `must be a mapping of fields` for something that is not an object.
 */
export function checkFieldTypes(fields: ConfigFields, entry: unknown): Record<string, unknown> {
  if (!isPlainObject(entry)) throw invalidEntry();
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) {
    if ((RECORD_FIELDS as readonly string[]).includes(name)) continue;
    const field = fields[name];
    if (field === undefined) throw invalid(name, 'is not a known field');
    checkType(field, value, name);
    input[name] = value;
  }
  for (const [name, field] of Object.entries(fields)) {
    if (field.required === true && entry[name] === undefined) throw invalid(name, 'is required');
  }
  return input;
}

function invalidEntry(): ValidationError {
  return new ValidationError(EvhubErrors.EY_INVALID_CONFIG, 'must be a mapping of fields');
}

function checkType(field: ConfigField, value: unknown, path: string): void {
  if (value === null && field.nullable === true) return;
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw invalid(path, 'must be a string');
      if (field.enum !== undefined && !field.enum.includes(value)) throw invalid(path, `must be one of ${field.enum.join(', ')}`);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(path, 'must be an integer');
      if (value < 0) throw invalid(path, 'must be a non-negative integer');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(path, 'must be true or false');
      return;
    case 'object':
      if (!isPlainObject(value)) throw invalid(path, 'must be a mapping');
      for (const [name, inner] of Object.entries(value)) {
        if (field.fields !== undefined) {
          const innerField = field.fields[name];
          if (innerField === undefined) throw invalid(`${path}.${name}`, 'is not a known field');
          checkType(innerField, inner, `${path}.${name}`);
        } else if (field.values !== undefined) {
          checkType({ type: field.values }, inner, `${path}.${name}`);
        }
      }
      return;
  }
}

export interface JsonSchemaOptions {
  /** Description of the `version` field (the optimistic lock). */
  versionDescription: string;
}

/** The JSON schema (draft 7, as fastify's Ajv takes it) of one config object as the admin API accepts it. */
export function configJsonSchema(fields: ConfigFields, options: JsonSchemaOptions): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) properties[name] = fieldSchema(field);
  properties.version = { ...NON_NEGATIVE_INT, description: options.versionDescription };
  // Shown by GET; accepted and ignored by POST, so a GET → edit → POST round trip needs no clean-up.
  properties.created_at = READ_ONLY_TIME;
  properties.updated_at = READ_ONLY_TIME;
  const required = Object.entries(fields)
    .filter(([, field]) => field.required === true)
    .map(([name]) => name);
  return { type: 'object', additionalProperties: false, required, properties };
}

const NON_NEGATIVE_INT = { type: 'integer', minimum: 0 } as const;
const READ_ONLY_TIME = { type: 'string', readOnly: true, description: 'Set by the server; ignored on POST' } as const;

function fieldSchema(field: ConfigField): Record<string, unknown> {
  const type = field.nullable === true ? [field.type, 'null'] : field.type;
  const schema: Record<string, unknown> = field.type === 'integer' ? { ...NON_NEGATIVE_INT } : { type };
  if (field.enum !== undefined) schema.enum = [...field.enum];
  if (field.fields !== undefined) {
    schema.additionalProperties = false;
    schema.properties = Object.fromEntries(Object.entries(field.fields).map(([name, inner]) => [name, fieldSchema(inner)]));
  }
  if (field.values !== undefined) schema.additionalProperties = { type: field.values };
  if (field.description !== undefined) schema.description = field.description;
  return schema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
