// What one generated case is, per target. A case is pure data derived from (seed, index), so printing
// it or regenerating it gives the same bytes.

export type Target = 'grpc' | 'http' | 'admin' | 'kafka';

interface CaseBase {
  index: number;
  target: Target;
  /** Name of the generator that made it (the table's rows, and what a replay prints). */
  generator: string;
  /**
   * Names of the event's string fields that hold a NUL character (Report and Commit cases). A loss of
   * such an acknowledged event in one of KNOWN_NUL_FIELDS is the known defect of issue #14 item 8; the
   * campaign lists those losses apart from any other.
   */
  nulFields: string[];
}

export type EvhubMethod = 'Report' | 'Prepare' | 'Commit' | 'Rollback';

export interface GrpcCase extends CaseBase {
  target: 'grpc';
  method: EvhubMethod;
  /** The request message as raw bytes (sent through a pass-through serializer). */
  body: Buffer;
  metadata: Record<string, string>;
  /**
   * A transaction flow: this valid PrepareReq is sent first, then `body` is ignored and the method
   * (Commit or Rollback) gets the prepared event_id plus `trigger` (raw EventTrigger bytes, maybe garbled).
   */
  prepareFirst?: { prepare: Buffer; trigger: Buffer | undefined; rollbackFirst: boolean };
}

export interface HttpCase extends CaseBase {
  target: 'http' | 'admin';
  method: string;
  /** Path and query, already percent-encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The route template the case aims at (admin), for coverage. */
  route: string;
}

export interface KafkaCase extends CaseBase {
  target: 'kafka';
  /** Bytes written to a fresh connection, size prefixes included (or wrong). */
  bytes: Buffer;
  /** True when the bytes end inside a frame, so the broker is expected to wait for more. */
  incomplete: boolean;
  /** Correlation ids of the complete frames, in order (answers are matched by them). */
  correlationIds: number[];
  /** Api keys of the complete frames; Produce with acks 0 may get no answer. */
  apiKeys: number[];
}

export type FuzzCase = GrpcCase | HttpCase | KafkaCase;
