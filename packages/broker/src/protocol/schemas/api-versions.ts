// ApiVersions (api key 18), request and response versions 0-2, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/ApiVersionsRequest.json and
// ApiVersionsResponse.json at commit 1eb7644349c; fields only present outside versions 0-2 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const apiVersionsRequest: MessageSchema = {
  name: 'ApiVersionsRequest',
  apiKey: 18,
  versions: { min: 0, max: 2 },
  fields: [],
};

export const apiVersionsResponse: MessageSchema = {
  name: 'ApiVersionsResponse',
  apiKey: 18,
  versions: { min: 0, max: 2 },
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'apiKeys',
      type: '[]ApiVersion',
      versions: '0+',
      fields: [
        { name: 'apiKey', type: 'int16', versions: '0+' },
        { name: 'minVersion', type: 'int16', versions: '0+' },
        { name: 'maxVersion', type: 'int16', versions: '0+' },
      ],
    },
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
  ],
};
