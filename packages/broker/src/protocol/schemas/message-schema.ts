// The shape of a transcribed Kafka message schema: the same fields, types, version ranges and
// defaults as Kafka's JSON, with field names lower-camel-cased (Contract A).

/** Kafka primitive type names as used in the JSON schemas. */
export type PrimitiveType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'float64' | 'string' | 'bytes' | 'records' | 'bool' | 'uuid';

export interface FieldSchema {
  /** Kafka's field name with the first letter lower-cased. */
  readonly name: string;
  /** Kafka's type: a primitive, `[]primitive`, `StructName` or `[]StructName` (the latter two carry `fields`). */
  readonly type: string;
  /** Kafka's version range syntax: '3+', '0-12', '5'. */
  readonly versions: string;
  readonly nullableVersions?: string;
  /** Kafka's schema default (int64 as bigint); absent means 0 / '' / false / empty array. */
  readonly default?: number | bigint | string | boolean | null;
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  /** Kafka's message name, e.g. 'ProduceRequest'. */
  readonly name: string;
  readonly apiKey: number;
  /** The versions transcribed (and implemented); fields outside it were left out. */
  readonly versions: { readonly min: number; readonly max: number };
  readonly fields: readonly FieldSchema[];
}
