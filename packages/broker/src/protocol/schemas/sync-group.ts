// SyncGroup (api key 14), request and response versions 0-3, none flexible.
// Transcribed from Apache Kafka clients/src/main/resources/common/message/SyncGroupRequest.json and
// SyncGroupResponse.json at commit 1eb7644349c; fields only present outside versions 0-3 and
// tagged fields (flexible versions only) are left out. Version ranges are kept as Kafka writes them.
import type { MessageSchema } from './message-schema.ts';

export const syncGroupRequest: MessageSchema = {
  name: 'SyncGroupRequest',
  apiKey: 14,
  versions: { min: 0, max: 3 },
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'assignments',
      type: '[]SyncGroupRequestAssignment',
      versions: '0+',
      fields: [
        { name: 'memberId', type: 'string', versions: '0+' },
        { name: 'assignment', type: 'bytes', versions: '0+' },
      ],
    },
  ],
};

export const syncGroupResponse: MessageSchema = {
  name: 'SyncGroupResponse',
  apiKey: 14,
  versions: { min: 0, max: 3 },
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
};
