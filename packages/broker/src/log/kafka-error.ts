// The error the log layer throws for conditions Kafka reports with an error code; the broker's API
// layer answers with `errorCode` (same numbers as Kafka's Errors.java) instead of failing the request.

/** The Kafka error codes the log layer can raise (numbers from Kafka's Errors.java). */
export const LogErrorCode = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_CONFIG: 40,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
} as const;
export type LogErrorCode = (typeof LogErrorCode)[keyof typeof LogErrorCode];

export class KafkaError extends Error {
  readonly errorCode: number;

  constructor(errorCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KafkaError';
    this.errorCode = errorCode;
  }
}
