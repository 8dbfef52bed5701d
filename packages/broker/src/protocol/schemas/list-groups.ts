// ListGroups (api key 16), request and response versions 0-2, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/ListGroupsRequest.json and
// ListGroupsResponse.json at commit 1eb7644349c; fields only present outside versions 0-2 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const listGroupsRequest: MessageSchema = {
  name: 'ListGroupsRequest',
  apiKey: 16,
  versions: { min: 0, max: 2 },
  fields: [],
};

export const listGroupsResponse: MessageSchema = {
  name: 'ListGroupsResponse',
  apiKey: 16,
  versions: { min: 0, max: 2 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      type: '[]ListedGroup',
      versions: '0+',
      fields: [
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
      ],
    },
  ],
};
