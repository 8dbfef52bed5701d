// DescribeGroups (api key 15), request and response versions 0-2, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/DescribeGroupsRequest.json and
// DescribeGroupsResponse.json at commit 1eb7644349c; fields only present outside versions 0-2 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const describeGroupsRequest: MessageSchema = {
  name: 'DescribeGroupsRequest',
  apiKey: 15,
  versions: { min: 0, max: 2 },
  fields: [{ name: 'groups', type: '[]string', versions: '0+' }],
};

export const describeGroupsResponse: MessageSchema = {
  name: 'DescribeGroupsResponse',
  apiKey: 15,
  versions: { min: 0, max: 2 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'groups',
      type: '[]DescribedGroup',
      versions: '0+',
      fields: [
        { name: 'errorCode', type: 'int16', versions: '0+' },
        { name: 'groupId', type: 'string', versions: '0+' },
        { name: 'groupState', type: 'string', versions: '0+' },
        { name: 'protocolType', type: 'string', versions: '0+' },
        { name: 'protocolData', type: 'string', versions: '0+' },
        {
          name: 'members',
          type: '[]DescribedGroupMember',
          versions: '0+',
          fields: [
            { name: 'memberId', type: 'string', versions: '0+' },
            { name: 'clientId', type: 'string', versions: '0+' },
            { name: 'clientHost', type: 'string', versions: '0+' },
            { name: 'memberMetadata', type: 'bytes', versions: '0+' },
            { name: 'memberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
      ],
    },
  ],
};
