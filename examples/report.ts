// Reports one event over gRPC with the SDK's client and prints the answer.
//
//   node_modules/.bin/node examples/report.ts [app_id] [topic_id] [json data]
//
// EY_EXAMPLE_PRODUCER_ADDR (127.0.0.1:9000) the producer's gRPC address
import { createReportClient } from '@eventyard/sdk';

const [appId = 'demo', topicId = 'greeting', data = '{"hello":"world"}'] = process.argv.slice(2);
const client = createReportClient({ address: process.env.EY_EXAMPLE_PRODUCER_ADDR ?? '127.0.0.1:9000' });
try {
  const rsp = await client.report({ event: { app_id: appId, topic_id: topicId, data: Buffer.from(data) } });
  console.log(JSON.stringify({ event_id: rsp.event_id, ret: rsp.ret }));
  if ((rsp.ret?.code ?? 0) !== 0) process.exitCode = 1;
} finally {
  client.close();
}
