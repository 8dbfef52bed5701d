// Turns one request frame into one response frame: header, api/version checks, body decode, the API's
// handler, encode. What Kafka answers with a closed connection (unknown api key, unsupported version
// of anything but ApiVersions, a body that does not decode) is thrown, and the connection closes.
import type { FrameHandler } from '../network/connection.ts';
import {
  ApiKey,
  SUPPORTED_VERSIONS,
  apiName,
  decodeRequest,
  decodeRequestHeader,
  encodeResponse,
  encodeUnsupportedApiVersionsResponse,
  isSupported,
  type RequestBodies,
  type ResponseBodies,
} from '../protocol/index.ts';
import { handleApiVersions } from './api-versions.ts';
import { CloseConnectionError, type ApiDeps, type ApiHandler, type RequestContext } from './context.ts';
import { handleCreatePartitions } from './create-partitions.ts';
import { handleCreateTopics } from './create-topics.ts';
import { handleDeleteGroups } from './delete-groups.ts';
import { handleDeleteRecords } from './delete-records.ts';
import { handleDeleteTopics } from './delete-topics.ts';
import { handleDescribeConfigs } from './describe-configs.ts';
import { handleDescribeGroups } from './describe-groups.ts';
import { handleFetch } from './fetch.ts';
import { handleFindCoordinator } from './find-coordinator.ts';
import { handleHeartbeat } from './heartbeat.ts';
import { handleInitProducerId } from './init-producer-id.ts';
import { handleJoinGroup } from './join-group.ts';
import { handleLeaveGroup } from './leave-group.ts';
import { handleListGroups } from './list-groups.ts';
import { handleListOffsets } from './list-offsets.ts';
import { handleMetadata } from './metadata.ts';
import { handleOffsetCommit } from './offset-commit.ts';
import { handleOffsetFetch } from './offset-fetch.ts';
import { handleProduce } from './produce.ts';
import { handleSyncGroup } from './sync-group.ts';

type Handlers = { [K in keyof RequestBodies & keyof ResponseBodies]: ApiHandler<K> };

const HANDLERS: Handlers = {
  [ApiKey.Produce]: handleProduce,
  [ApiKey.Fetch]: handleFetch,
  [ApiKey.ListOffsets]: handleListOffsets,
  [ApiKey.Metadata]: handleMetadata,
  [ApiKey.OffsetCommit]: handleOffsetCommit,
  [ApiKey.OffsetFetch]: handleOffsetFetch,
  [ApiKey.FindCoordinator]: handleFindCoordinator,
  [ApiKey.JoinGroup]: handleJoinGroup,
  [ApiKey.Heartbeat]: handleHeartbeat,
  [ApiKey.LeaveGroup]: handleLeaveGroup,
  [ApiKey.SyncGroup]: handleSyncGroup,
  [ApiKey.DescribeGroups]: handleDescribeGroups,
  [ApiKey.ListGroups]: handleListGroups,
  [ApiKey.ApiVersions]: handleApiVersions,
  [ApiKey.CreateTopics]: handleCreateTopics,
  [ApiKey.DeleteTopics]: handleDeleteTopics,
  [ApiKey.DeleteRecords]: handleDeleteRecords,
  [ApiKey.InitProducerId]: handleInitProducerId,
  [ApiKey.DescribeConfigs]: handleDescribeConfigs,
  [ApiKey.CreatePartitions]: handleCreatePartitions,
  [ApiKey.DeleteGroups]: handleDeleteGroups,
};

/** Told about every answered request, for metrics. */
export interface RequestObserver {
  onResponse(api: string, errorCodes: ReadonlyMap<number, number>, seconds: number): void;
}

/** Counts every `errorCode` field in a response body (Kafka's per-response error counts). */
export function countErrorCodes(body: unknown, counts = new Map<number, number>()): Map<number, number> {
  if (Array.isArray(body)) {
    for (const item of body) countErrorCodes(item, counts);
  } else if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
    for (const [key, value] of Object.entries(body)) {
      if (key === 'errorCode' && typeof value === 'number') counts.set(value, (counts.get(value) ?? 0) + 1);
      else if (typeof value === 'object' && value !== null) countErrorCodes(value, counts);
    }
  }
  return counts;
}

export function createDispatcher(deps: ApiDeps, observer?: RequestObserver): FrameHandler {
  return async (frame, connection) => {
    const started = performance.now();
    const { header, bodyOffset } = decodeRequestHeader(frame);
    const name = apiName(header.apiKey);
    if (name === undefined || !SUPPORTED_VERSIONS.has(header.apiKey)) throw new CloseConnectionError(`unknown api key ${header.apiKey}`);
    if (!isSupported(header.apiKey, header.apiVersion)) {
      // KIP-511: a client newer than us learns our ApiVersions range from a v0-shaped error response.
      if (header.apiKey === ApiKey.ApiVersions) return encodeUnsupportedApiVersionsResponse(header.correlationId);
      throw new CloseConnectionError(`unsupported version ${header.apiVersion} of ${name}`);
    }
    const apiKey = header.apiKey as keyof Handlers;
    const body = decodeRequest(apiKey, header.apiVersion, frame, bodyOffset);
    const ctx: RequestContext = { header, clientHost: connection.clientHost };
    const handler = HANDLERS[apiKey] as (deps: ApiDeps, body: unknown, ctx: RequestContext) => Promise<object | null> | object | null;
    const response = await handler(deps, body, ctx);
    observer?.onResponse(name, response === null ? new Map() : countErrorCodes(response), (performance.now() - started) / 1000);
    return response === null ? null : encodeResponse(header.apiKey, header.apiVersion, header.correlationId, response);
  };
}
