/**
 * Eventyard SDK for TypeScript users: a typed EvHub `Report` client, a `Dispatch` server helper, a
 * webhook handler, and the contract they speak (service definitions, message types, result codes).
 *
 * @example
 * const client = createReportClient({ address: '127.0.0.1:9000' });
 * const { event_id } = await client.report({ event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{}') } });
 * const server = await startDispatchServer({ port: 9001, handler: async (req) => ({ ret: { code: 0, msg: '' } }) });
 * const outcome = await waitForOutcome(event_id, { adminUrl: 'http://127.0.0.1:8081', apiKey: adminToken, timeout: 30_000 });
 */
export * from './report-client.ts';
export * from './dispatch-server.ts';
export * from './wait-for-outcome.ts';
// The contract itself, for what the helpers above do not cover (a server of your own for Report or the
// transaction Callback, a raw Dispatch client): bundled into the package, not a separate dependency.
export { loadEvhub, ResultCode, WirePath } from '#proto';
export type {
  CallbackReq,
  CallbackReq__Output,
  CallbackRsp,
  CallbackRsp__Output,
  CommitReq,
  CommitReq__Output,
  CommitRsp,
  CommitRsp__Output,
  DispatchReq,
  DispatchRsp__Output,
  Event,
  Event__Output,
  Evhub,
  PrepareReq,
  PrepareReq__Output,
  PrepareRsp,
  PrepareRsp__Output,
  ReportReq,
  ReportReq__Output,
  ReportRsp,
  ReportRsp__Output,
  RollbackReq,
  RollbackReq__Output,
  RollbackRsp,
  RollbackRsp__Output,
  evhubProcessorHandlers,
  evhubProducerHandlers,
  evhubTransactionHandlers,
} from '#proto';
