// Types the two directions of the Go-struct JSON codec share: JSON values, and protobufjs's reflection
// types reached through @eventyard/proto's root, so this package needs no protobufjs dependency of its own.
import type { protoRoot } from '@eventyard/proto';

/** A JSON value as JSON.parse returns it and JSON.stringify writes it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

export type ProtoType = ReturnType<ReturnType<typeof protoRoot>['lookupType']>;
export type ProtoField = ProtoType['fieldsArray'][number];
export type ProtoEnum = Exclude<ProtoField['resolvedType'], ProtoType | null>;
