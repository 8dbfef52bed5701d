// The broker's Kafka wire protocol (Contract A): api keys and advertised versions, header and body
// codecs for every implemented API version, Kafka error codes, and the body types handlers use.
//
//   const { header, bodyOffset } = decodeRequestHeader(frame);
//   const request = decodeRequest(ApiKey.Produce, header.apiVersion, frame, bodyOffset); // ProduceRequest
//   socket.write(encodeResponse(ApiKey.Produce, header.apiVersion, header.correlationId, response));

export { ApiKey, SUPPORTED_VERSIONS, apiName, isSupported } from './api-keys.ts';
export { ErrorCode, ProtocolDecodeError, UnsupportedVersionError, errorName } from '../kafka-errors.ts';
export { decodeRequestHeader, decodeResponseHeader, type RequestHeader } from './header.ts';
export { decodeRequest, decodeResponse, encodeRequest, encodeResponse, encodeUnsupportedApiVersionsResponse } from './frames.ts';
export type { FieldSchema, MessageSchema } from './schemas/message-schema.ts';
export { SCHEMAS } from './schemas/index.ts';
// The body types other modules use; every body type is in ./messages.ts (generated from the schemas).
export type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
  FetchRequest,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
  ListOffsetsResponsePartitionResponse,
  MetadataRequest,
  MetadataResponseTopic,
  OffsetCommitResponsePartition,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponseCreatableTopicResult,
  DeleteRecordsResponsePartitionResult,
  DescribeConfigsResponseResult,
  DescribeConfigsResponseResourceResult,
  CreatePartitionsResponseTopicResult,
  RequestBodies,
  ResponseBodies,
} from './messages.ts';
