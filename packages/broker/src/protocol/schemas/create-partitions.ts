// CreatePartitions (api key 37), request and response versions 0-1, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/CreatePartitionsRequest.json and
// CreatePartitionsResponse.json at commit 1eb7644349c; fields only present outside versions 0-1 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const createPartitionsRequest: MessageSchema = {
  name: 'CreatePartitionsRequest',
  apiKey: 37,
  versions: { min: 0, max: 1 },
  fields: [
    {
      name: 'topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'count', type: 'int32', versions: '0+' },
        {
          name: 'assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'brokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
};

export const createPartitionsResponse: MessageSchema = {
  name: 'CreatePartitionsResponse',
  apiKey: 37,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'name', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      ],
    },
  ],
};
