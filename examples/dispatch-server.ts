// An example processor: a gRPC Dispatch server that prints every event it receives. With an admin URL
// it also registers itself as processor `example-printer` for app `demo`, topic `greeting`.
//
//   node_modules/.bin/node examples/dispatch-server.ts
//
// EY_EXAMPLE_DISPATCH_PORT (7000)          port to listen on (all interfaces)
// EY_EXAMPLE_DISPATCH_ADDR (127.0.0.1:7000) address Eventyard's dispatcher should call
// EY_EXAMPLE_ADMIN_URL (unset)            admin API to register itself with, e.g. http://127.0.0.1:8081
// EY_ADMIN_TOKEN (unset)                  its admin token (or an API key with config:write)
import { startDispatchServer } from '@eventyard/sdk';

const port = Number(process.env.EY_EXAMPLE_DISPATCH_PORT ?? 7000);
const addr = process.env.EY_EXAMPLE_DISPATCH_ADDR ?? `127.0.0.1:${port}`;
const adminUrl = process.env.EY_EXAMPLE_ADMIN_URL ?? '';
const adminToken = process.env.EY_ADMIN_TOKEN ?? '';

const server = await startDispatchServer({
  port,
  host: '0.0.0.0',
  handler: (req) => {
    const data = Buffer.from(req.event?.data ?? []).toString('utf8');
    console.log(`dispatch: event_id=${req.event_id} app=${req.event?.app_id} topic=${req.event?.topic_id} retry_times=${req.retry_times} data=${data}`);
    return { ret: { code: 0, msg: 'ok' } };
  },
});
console.log(`example Dispatch server listening on :${server.port}`);

if (adminUrl !== '') {
  const res = await fetch(`${adminUrl}/v1/processor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(adminToken === '' ? {} : { authorization: `Bearer ${adminToken}` }) },
    body: JSON.stringify({
      processor_conf_info: { dispatcher_id: 'example-printer', app_id: 'demo', topic_id: 'greeting', protocol_type: 'grpcSend', addr, timeout: 3000 },
    }),
  });
  console.log(`registered processor example-printer for demo/greeting: HTTP ${res.status} ${await res.text()}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
