// InitProducerId (api key 22), request and response versions 0-1, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/InitProducerIdRequest.json and
// InitProducerIdResponse.json at commit 1eb7644349c; fields only present outside versions 0-1 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const initProducerIdRequest: MessageSchema = {
  name: 'InitProducerIdRequest',
  apiKey: 22,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
  ],
};

export const initProducerIdResponse: MessageSchema = {
  name: 'InitProducerIdResponse',
  apiKey: 22,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
};
