// The codes of every error this package throws (docs/errors.md is generated from this table). The codecs'
// errors are contract failures: bytes or objects a message type does not allow, never retriable.
import { defineErrorCodes } from './error-catalogue.ts';
import { ResultCode } from './result-codes.ts';

const RAISED_BY = 'proto (`ProtoError`: an EventyardError by brand, family `protocol`)';

export const ProtoErrors = defineErrorCodes({
  EY_PROTO_UNKNOWN_TYPE: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: RAISED_BY,
    meaning: 'encode/decode asked for a message type that is not loaded',
  },
  EY_PROTO_ENCODE_FAILED: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: RAISED_BY,
    meaning: 'an object could not be encoded as its message type',
  },
  EY_PROTO_DECODE_FAILED: {
    family: 'protocol',
    http: 500,
    resultCode: ResultCode.SYSTEM_ERROR,
    retriable: false,
    raisedBy: RAISED_BY,
    meaning: 'bytes are not a valid encoding of the message type (truncated, wrong wire type, bad UTF-8)',
  },
} as const);

export type ProtoErrorCode = keyof typeof ProtoErrors;
