// DeleteTopics (api key 20), request and response versions 0-1, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/DeleteTopicsRequest.json and
// DeleteTopicsResponse.json at commit 1eb7644349c; fields only present outside versions 0-1 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const deleteTopicsRequest: MessageSchema = {
  name: 'DeleteTopicsRequest',
  apiKey: 20,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'topicNames', type: '[]string', versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
};

export const deleteTopicsResponse: MessageSchema = {
  name: 'DeleteTopicsResponse',
  apiKey: 20,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
};
