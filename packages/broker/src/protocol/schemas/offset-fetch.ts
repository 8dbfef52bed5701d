// OffsetFetch (api key 9), request and response versions 1-4, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/OffsetFetchRequest.json and
// OffsetFetchResponse.json at commit 1eb7644349c; fields only present outside versions 1-4 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const offsetFetchRequest: MessageSchema = {
  name: 'OffsetFetchRequest',
  apiKey: 9,
  versions: { min: 1, max: 4 },
  fields: [
    { name: 'groupId', type: 'string', versions: '0-7' },
    {
      name: 'topics',
      type: '[]OffsetFetchRequestTopic',
      versions: '0-7',
      nullableVersions: '2-7',
      fields: [
        { name: 'name', type: 'string', versions: '0-7' },
        { name: 'partitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
  ],
};

export const offsetFetchResponse: MessageSchema = {
  name: 'OffsetFetchResponse',
  apiKey: 9,
  versions: { min: 1, max: 4 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'topics',
      type: '[]OffsetFetchResponseTopic',
      versions: '0-7',
      fields: [
        { name: 'name', type: 'string', versions: '0-7' },
        {
          name: 'partitions',
          type: '[]OffsetFetchResponsePartition',
          versions: '0-7',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0-7' },
            { name: 'committedOffset', type: 'int64', versions: '0-7' },
            { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'errorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
  ],
};
