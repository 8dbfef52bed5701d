// LeaveGroup (api key 13), request and response versions 0-3, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/LeaveGroupRequest.json and
// LeaveGroupResponse.json at commit 1eb7644349c; fields only present outside versions 0-3 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const leaveGroupRequest: MessageSchema = {
  name: 'LeaveGroupRequest',
  apiKey: 13,
  versions: { min: 0, max: 3 },
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      type: '[]MemberIdentity',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      ],
    },
  ],
};

export const leaveGroupResponse: MessageSchema = {
  name: 'LeaveGroupResponse',
  apiKey: 13,
  versions: { min: 0, max: 3 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      type: '[]MemberResponse',
      versions: '3+',
      fields: [
        { name: 'memberId', type: 'string', versions: '3+' },
        { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
        { name: 'errorCode', type: 'int16', versions: '3+' },
      ],
    },
  ],
};
