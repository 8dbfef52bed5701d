// TypeScript types of every request and response body, one interface per Kafka struct, matching the
// schemas in ./schemas (field names are Kafka's, first letter lower-cased). A field present in only
// some of the implemented versions is optional: decode leaves it undefined outside them, encode
// ignores it there (the comment names its versions). int64 → bigint, bytes/records → Buffer.

/** Produce request body, versions 3-7. */
export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: ProduceRequestTopicProduceData[];
}

export interface ProduceRequestTopicProduceData {
  name: string;
  partitionData: ProduceRequestPartitionProduceData[];
}

export interface ProduceRequestPartitionProduceData {
  index: number;
  records: Buffer | null;
}

/** Produce response body, versions 3-7. */
export interface ProduceResponse {
  responses: ProduceResponseTopicProduceResponse[];
  throttleTimeMs: number;
}

export interface ProduceResponseTopicProduceResponse {
  name: string;
  partitionResponses: ProduceResponsePartitionProduceResponse[];
}

export interface ProduceResponsePartitionProduceResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset?: bigint; // v5+
}

/** Fetch request body, versions 4-11. */
export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId?: number; // v7+
  sessionEpoch?: number; // v7+
  topics: FetchRequestTopic[];
  forgottenTopicsData?: FetchRequestForgottenTopic[]; // v7+
  rackId?: string; // v11+
}

export interface FetchRequestTopic {
  topic: string;
  partitions: FetchRequestPartition[];
}

export interface FetchRequestPartition {
  partition: number;
  currentLeaderEpoch?: number; // v9+
  fetchOffset: bigint;
  logStartOffset?: bigint; // v5+
  partitionMaxBytes: number;
}

export interface FetchRequestForgottenTopic {
  topic: string;
  partitions: number[];
}

/** Fetch response body, versions 4-11. */
export interface FetchResponse {
  throttleTimeMs: number;
  errorCode?: number; // v7+
  sessionId?: number; // v7+
  responses: FetchResponseFetchableTopicResponse[];
}

export interface FetchResponseFetchableTopicResponse {
  topic: string;
  partitions: FetchResponsePartitionData[];
}

export interface FetchResponsePartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset?: bigint; // v5+
  abortedTransactions: FetchResponseAbortedTransaction[] | null;
  preferredReadReplica?: number; // v11+
  records: Buffer | null;
}

export interface FetchResponseAbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** ListOffsets request body, versions 0-3. */
export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel?: number; // v2+
  topics: ListOffsetsRequestTopic[];
}

export interface ListOffsetsRequestTopic {
  name: string;
  partitions: ListOffsetsRequestPartition[];
}

export interface ListOffsetsRequestPartition {
  partitionIndex: number;
  timestamp: bigint;
  maxNumOffsets?: number; // v0
}

/** ListOffsets response body, versions 0-3. */
export interface ListOffsetsResponse {
  throttleTimeMs?: number; // v2+
  topics: ListOffsetsResponseTopicResponse[];
}

export interface ListOffsetsResponseTopicResponse {
  name: string;
  partitions: ListOffsetsResponsePartitionResponse[];
}

export interface ListOffsetsResponsePartitionResponse {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets?: bigint[]; // v0
  timestamp?: bigint; // v1+
  offset?: bigint; // v1+
}

/** Metadata request body, versions 0-6. */
export interface MetadataRequest {
  topics: MetadataRequestTopic[] | null; // null allowed v1+
  allowAutoTopicCreation?: boolean; // v4+
}

export interface MetadataRequestTopic {
  name: string;
}

/** Metadata response body, versions 0-6. */
export interface MetadataResponse {
  throttleTimeMs?: number; // v3+
  brokers: MetadataResponseBroker[];
  clusterId?: string | null; // v2+
  controllerId?: number; // v1+
  topics: MetadataResponseTopic[];
}

export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack?: string | null; // v1+
}

export interface MetadataResponseTopic {
  errorCode: number;
  name: string;
  isInternal?: boolean; // v1+
  partitions: MetadataResponsePartition[];
}

export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas?: number[]; // v5+
}

/** OffsetCommit request body, versions 0-5. */
export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch?: number; // v1+
  memberId?: string; // v1+
  retentionTimeMs?: bigint; // v2-4
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  commitTimestamp?: bigint; // v1
  committedMetadata: string | null;
}

/** OffsetCommit response body, versions 0-5. */
export interface OffsetCommitResponse {
  throttleTimeMs?: number; // v3+
  topics: OffsetCommitResponseTopic[];
}

export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

/** OffsetFetch request body, versions 1-4. */
export interface OffsetFetchRequest {
  groupId: string;
  topics: OffsetFetchRequestTopic[] | null; // null allowed v2-7
}

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

/** OffsetFetch response body, versions 1-4. */
export interface OffsetFetchResponse {
  throttleTimeMs?: number; // v3+
  topics: OffsetFetchResponseTopic[];
  errorCode?: number; // v2-7
}

export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: bigint;
  metadata: string | null;
  errorCode: number;
}

/** FindCoordinator request body, versions 0-2. */
export interface FindCoordinatorRequest {
  key: string;
  keyType?: number; // v1+
}

/** FindCoordinator response body, versions 0-2. */
export interface FindCoordinatorResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  errorMessage?: string | null; // v1-3
  nodeId: number;
  host: string;
  port: number;
}

/** JoinGroup request body, versions 0-5. */
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs?: number; // v1+
  memberId: string;
  groupInstanceId?: string | null; // v5+
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
}

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}

/** JoinGroup response body, versions 0-5. */
export interface JoinGroupResponse {
  throttleTimeMs?: number; // v2+
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId?: string | null; // v5+
  metadata: Buffer;
}

/** Heartbeat request body, versions 0-3. */
export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null; // v3+
}

/** Heartbeat response body, versions 0-3. */
export interface HeartbeatResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
}

/** LeaveGroup request body, versions 0-3. */
export interface LeaveGroupRequest {
  groupId: string;
  memberId?: string; // v0-2
  members?: LeaveGroupRequestMemberIdentity[]; // v3+
}

export interface LeaveGroupRequestMemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

/** LeaveGroup response body, versions 0-3. */
export interface LeaveGroupResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  members?: LeaveGroupResponseMemberResponse[]; // v3+
}

export interface LeaveGroupResponseMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

/** SyncGroup request body, versions 0-3. */
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null; // v3+
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}

/** SyncGroup response body, versions 0-3. */
export interface SyncGroupResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  assignment: Buffer;
}

/** DescribeGroups request body, versions 0-2. */
export interface DescribeGroupsRequest {
  groups: string[];
}

/** DescribeGroups response body, versions 0-2. */
export interface DescribeGroupsResponse {
  throttleTimeMs?: number; // v1+
  groups: DescribeGroupsResponseDescribedGroup[];
}

export interface DescribeGroupsResponseDescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribeGroupsResponseDescribedGroupMember[];
}

export interface DescribeGroupsResponseDescribedGroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

/** ListGroups request body, versions 0-2. */
/* No fields in the implemented versions. */
export type ListGroupsRequest = Record<string, never>;

/** ListGroups response body, versions 0-2. */
export interface ListGroupsResponse {
  throttleTimeMs?: number; // v1+
  errorCode: number;
  groups: ListGroupsResponseListedGroup[];
}

export interface ListGroupsResponseListedGroup {
  groupId: string;
  protocolType: string;
}

/** ApiVersions request body, versions 0-2. */
/* No fields in the implemented versions. */
export type ApiVersionsRequest = Record<string, never>;

/** ApiVersions response body, versions 0-2. */
export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseApiVersion[];
  throttleTimeMs?: number; // v1+
}

export interface ApiVersionsResponseApiVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** CreateTopics request body, versions 0-3. */
export interface CreateTopicsRequest {
  topics: CreateTopicsRequestCreatableTopic[];
  timeoutMs: number;
  validateOnly?: boolean; // v1+
}

export interface CreateTopicsRequestCreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreateTopicsRequestCreatableReplicaAssignment[];
  configs: CreateTopicsRequestCreatableTopicConfig[];
}

export interface CreateTopicsRequestCreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreateTopicsRequestCreatableTopicConfig {
  name: string;
  value: string | null;
}

/** CreateTopics response body, versions 0-3. */
export interface CreateTopicsResponse {
  throttleTimeMs?: number; // v2+
  topics: CreateTopicsResponseCreatableTopicResult[];
}

export interface CreateTopicsResponseCreatableTopicResult {
  name: string;
  errorCode: number;
  errorMessage?: string | null; // v1+
}

/** DeleteTopics request body, versions 0-1. */
export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

/** DeleteTopics response body, versions 0-1. */
export interface DeleteTopicsResponse {
  throttleTimeMs?: number; // v1+
  responses: DeleteTopicsResponseDeletableTopicResult[];
}

export interface DeleteTopicsResponseDeletableTopicResult {
  name: string;
  errorCode: number;
}

/** DeleteRecords request body, versions 0-1. */
export interface DeleteRecordsRequest {
  topics: DeleteRecordsRequestTopic[];
  timeoutMs: number;
}

export interface DeleteRecordsRequestTopic {
  name: string;
  partitions: DeleteRecordsRequestPartition[];
}

export interface DeleteRecordsRequestPartition {
  partitionIndex: number;
  offset: bigint;
}

/** DeleteRecords response body, versions 0-1. */
export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsResponseTopicResult[];
}

export interface DeleteRecordsResponseTopicResult {
  name: string;
  partitions: DeleteRecordsResponsePartitionResult[];
}

export interface DeleteRecordsResponsePartitionResult {
  partitionIndex: number;
  lowWatermark: bigint;
  errorCode: number;
}

/** InitProducerId request body, versions 0-1. */
export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

/** InitProducerId response body, versions 0-1. */
export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

/** DescribeConfigs request body, versions 0-2. */
export interface DescribeConfigsRequest {
  resources: DescribeConfigsRequestResource[];
  includeSynonyms?: boolean; // v1+
}

export interface DescribeConfigsRequestResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

/** DescribeConfigs response body, versions 0-2. */
export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResponseResult[];
}

export interface DescribeConfigsResponseResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResponseResourceResult[];
}

export interface DescribeConfigsResponseResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault?: boolean; // v0
  configSource?: number; // v1+
  isSensitive: boolean;
  synonyms?: DescribeConfigsResponseSynonym[]; // v1+
}

export interface DescribeConfigsResponseSynonym {
  name: string;
  value: string | null;
  source: number;
}

/** CreatePartitions request body, versions 0-1. */
export interface CreatePartitionsRequest {
  topics: CreatePartitionsRequestTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsRequestTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsRequestAssignment[] | null;
}

export interface CreatePartitionsRequestAssignment {
  brokerIds: number[];
}

/** CreatePartitions response body, versions 0-1. */
export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsResponseTopicResult[];
}

export interface CreatePartitionsResponseTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

/** DeleteGroups request body, versions 0-1. */
export interface DeleteGroupsRequest {
  groupsNames: string[];
}

/** DeleteGroups response body, versions 0-1. */
export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeleteGroupsResponseDeletableGroupResult[];
}

export interface DeleteGroupsResponseDeletableGroupResult {
  groupId: string;
  errorCode: number;
}

/** Request body type by api key, for `decodeRequest`. */
export interface RequestBodies {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  16: ListGroupsRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  32: DescribeConfigsRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
}

/** Response body type by api key, for `encodeResponse` callers and `decodeResponse`. */
export interface ResponseBodies {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  16: ListGroupsResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  32: DescribeConfigsResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
}
