// Schema registry: api key → transcribed request and response schemas (one file per API here).
import type { MessageSchema } from './message-schema.ts';
import { apiVersionsRequest, apiVersionsResponse } from './api-versions.ts';
import { createPartitionsRequest, createPartitionsResponse } from './create-partitions.ts';
import { createTopicsRequest, createTopicsResponse } from './create-topics.ts';
import { deleteGroupsRequest, deleteGroupsResponse } from './delete-groups.ts';
import { deleteRecordsRequest, deleteRecordsResponse } from './delete-records.ts';
import { deleteTopicsRequest, deleteTopicsResponse } from './delete-topics.ts';
import { describeConfigsRequest, describeConfigsResponse } from './describe-configs.ts';
import { describeGroupsRequest, describeGroupsResponse } from './describe-groups.ts';
import { fetchRequest, fetchResponse } from './fetch.ts';
import { findCoordinatorRequest, findCoordinatorResponse } from './find-coordinator.ts';
import { heartbeatRequest, heartbeatResponse } from './heartbeat.ts';
import { initProducerIdRequest, initProducerIdResponse } from './init-producer-id.ts';
import { joinGroupRequest, joinGroupResponse } from './join-group.ts';
import { leaveGroupRequest, leaveGroupResponse } from './leave-group.ts';
import { listGroupsRequest, listGroupsResponse } from './list-groups.ts';
import { listOffsetsRequest, listOffsetsResponse } from './list-offsets.ts';
import { metadataRequest, metadataResponse } from './metadata.ts';
import { offsetCommitRequest, offsetCommitResponse } from './offset-commit.ts';
import { offsetFetchRequest, offsetFetchResponse } from './offset-fetch.ts';
import { produceRequest, produceResponse } from './produce.ts';
import { syncGroupRequest, syncGroupResponse } from './sync-group.ts';

export interface ApiSchemas {
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

const PAIRS: ReadonlyArray<readonly [MessageSchema, MessageSchema]> = [
  [produceRequest, produceResponse],
  [fetchRequest, fetchResponse],
  [listOffsetsRequest, listOffsetsResponse],
  [metadataRequest, metadataResponse],
  [offsetCommitRequest, offsetCommitResponse],
  [offsetFetchRequest, offsetFetchResponse],
  [findCoordinatorRequest, findCoordinatorResponse],
  [joinGroupRequest, joinGroupResponse],
  [heartbeatRequest, heartbeatResponse],
  [leaveGroupRequest, leaveGroupResponse],
  [syncGroupRequest, syncGroupResponse],
  [describeGroupsRequest, describeGroupsResponse],
  [listGroupsRequest, listGroupsResponse],
  [apiVersionsRequest, apiVersionsResponse],
  [createTopicsRequest, createTopicsResponse],
  [deleteTopicsRequest, deleteTopicsResponse],
  [deleteRecordsRequest, deleteRecordsResponse],
  [initProducerIdRequest, initProducerIdResponse],
  [describeConfigsRequest, describeConfigsResponse],
  [createPartitionsRequest, createPartitionsResponse],
  [deleteGroupsRequest, deleteGroupsResponse],
];

/** Every implemented API's schemas, by api key. */
export const SCHEMAS: ReadonlyMap<number, ApiSchemas> = new Map(
  PAIRS.map(([request, response]): [number, ApiSchemas] => [request.apiKey, { request, response }]),
);
