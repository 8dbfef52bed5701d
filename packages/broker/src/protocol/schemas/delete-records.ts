// DeleteRecords (api key 21), request and response versions 0-1, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/DeleteRecordsRequest.json and
// DeleteRecordsResponse.json at commit 1eb7644349c; fields only present outside versions 0-1 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const deleteRecordsRequest: MessageSchema = {
  name: 'DeleteRecordsRequest',
  apiKey: 21,
  versions: { min: 0, max: 1 },
  fields: [
    {
      name: 'topics',
      type: '[]DeleteRecordsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]DeleteRecordsPartition',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'offset', type: 'int64', versions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
};

export const deleteRecordsResponse: MessageSchema = {
  name: 'DeleteRecordsResponse',
  apiKey: 21,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      type: '[]DeleteRecordsTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        {
          name: 'partitions',
          type: '[]DeleteRecordsPartitionResult',
          versions: '0+',
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'lowWatermark', type: 'int64', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
