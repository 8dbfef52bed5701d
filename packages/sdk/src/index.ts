/**
 * Eventyard SDK for TypeScript users: a typed EvHub `Report` client and a `Dispatch` server helper.
 *
 * @example
 * const client = createReportClient({ address: '127.0.0.1:9000' });
 * const { event_id } = await client.report({ event: { app_id: 'shop', topic_id: 'order', data: Buffer.from('{}') } });
 * const server = await startDispatchServer({ port: 9001, handler: async (req) => ({ ret: { code: 0, msg: '' } }) });
 */
export * from './report-client.ts';
export * from './dispatch-server.ts';
