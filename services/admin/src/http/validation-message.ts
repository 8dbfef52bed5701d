// Turns a JSON-schema (ajv) validation error into one sentence that names the field the way a caller
// wrote it: `processor_conf_info.retry_strategy.retry_count must be integer`, not `/body/...`.

interface SchemaError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

export function validationMessage(errors: readonly SchemaError[], context = 'body'): string {
  const first = errors[0];
  if (first === undefined) return `invalid ${context}`;
  const path = (first.instancePath ?? '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = first.params ?? {};
  const at = (name?: unknown): string => {
    const parts = typeof name === 'string' ? [...path, name] : path;
    return parts.length === 0 ? (context === 'body' ? 'request body' : context) : parts.join('.');
  };
  switch (first.keyword) {
    case 'required':
      return `${at(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${at(params.additionalProperty)} is not a known field`;
    case 'type':
      return `${at()} must be ${describeType(params.type)}`;
    case 'enum':
      return `${at()} must be one of ${(params.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ') ?? 'the allowed values'}`;
    default:
      return `${at()} ${first.message ?? 'is invalid'}`;
  }
}

function describeType(type: unknown): string {
  const types = (Array.isArray(type) ? type : String(type).split(',')).map(String).filter((t) => t !== 'null');
  const names = types.map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'an array' : `a ${t}`));
  return names.join(' or ');
}
