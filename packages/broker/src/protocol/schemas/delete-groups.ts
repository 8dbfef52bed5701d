// DeleteGroups (api key 42), request and response versions 0-1, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/DeleteGroupsRequest.json and
// DeleteGroupsResponse.json at commit 1eb7644349c; fields only present outside versions 0-1 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const deleteGroupsRequest: MessageSchema = {
  name: 'DeleteGroupsRequest',
  apiKey: 42,
  versions: { min: 0, max: 1 },
  fields: [{ name: 'groupsNames', type: '[]string', versions: '0+' }],
};

export const deleteGroupsResponse: MessageSchema = {
  name: 'DeleteGroupsResponse',
  apiKey: 42,
  versions: { min: 0, max: 1 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      type: '[]DeletableGroupResult',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'errorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
};
