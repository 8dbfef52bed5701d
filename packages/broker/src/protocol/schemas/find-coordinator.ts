// FindCoordinator (api key 10), request and response versions 0-2, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/FindCoordinatorRequest.json and
// FindCoordinatorResponse.json at commit 1eb7644349c; fields only present outside versions 0-2 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const findCoordinatorRequest: MessageSchema = {
  name: 'FindCoordinatorRequest',
  apiKey: 10,
  versions: { min: 0, max: 2 },
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
  ],
};

export const findCoordinatorResponse: MessageSchema = {
  name: 'FindCoordinatorResponse',
  apiKey: 10,
  versions: { min: 0, max: 2 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
  ],
};
