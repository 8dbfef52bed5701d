// What a transport needs for one attempt, and what every transport (gRPC Dispatch, HTTP webhook) offers.
import type { AttemptOutcome } from '../outcome/index.ts';
import type { ProcessorSettings } from '../processors/processor-settings.ts';
import type { DispatchRequest } from './dispatch-json.ts';

export interface AttemptRequest {
  /** The processor's config as of this attempt (timeout, addr, secret). */
  settings: ProcessorSettings;
  req: DispatchRequest;
  /** Stable across retries of this delivery (Standard Webhooks `webhook-id`). */
  messageId: string;
  /** W3C traceparent carried from the Report, or "". */
  traceParent: string;
  /** Headers a transform set (httpSend; names already checked against the ones the dispatcher sets). */
  headers?: Readonly<Record<string, string>>;
  /** When the event was reported (a CloudEvent's `time`). */
  eventTime?: Date | undefined;
  /** Aborts the attempt (shutdown); the outcome is then meaningless and is not recorded. */
  signal: AbortSignal;
}

export interface Sender {
  /** Never rejects: failures come back classified. */
  send(request: AttemptRequest): Promise<AttemptOutcome>;
  close(): Promise<void>;
}
