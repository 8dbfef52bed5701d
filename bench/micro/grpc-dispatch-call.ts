// Client-side CPU of one Dispatch call the way the dispatcher's gRPC sender makes it, with variants of
// what issue #16 looked at (per-call Metadata, grpc-js's per-call caller stack capture), measured in one
// process in alternating rounds (a loaded machine makes separate runs incomparable). The Dispatch server
// runs in a child process, so this process's CPU is the client's alone.
//   node bench/micro/grpc-dispatch-call.ts [calls per round=20000] [rounds=4]
import { fork } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { loadEvhub } from '@eventyard/proto';
import { startDispatchServer } from '@eventyard/sdk';

if (process.argv[2] === 'server') {
  const server = await startDispatchServer({ host: '127.0.0.1', handler: () => ({ ret: { code: 0, msg: '' } }) });
  process.send?.(server.port);
  process.on('disconnect', () => void server.close(0).then(() => process.exit(0)));
} else {
  const CALLS = Number(process.argv[2] ?? 20_000);
  const ROUNDS = Number(process.argv[3] ?? 4);
  const IN_FLIGHT = 32;
  const child = fork(import.meta.filename, ['server'], { execArgv: [] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(m as number)));
  const { evhubProcessor } = loadEvhub();
  const dispatch = evhubProcessor.service.Dispatch;
  const client = new evhubProcessor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.enable_channelz': 0, 'grpc.enable_retries': 0 });
  const body = dispatch.requestSerialize({
    event_id: '123456789012345678',
    event: { app_id: 'app', topic_id: 'topic', event_comm: null, data: Buffer.alloc(200, 1) },
    retry_times: 0,
    repeat_times: 0,
    pass_back: Buffer.alloc(0),
  });
  const base = new grpc.Metadata();
  base.set('authorization', 'Bearer token');

  type Variant = { name: string; metadata: (i: number) => grpc.Metadata; noStack: boolean };
  const perCall = (i: number): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set('webhook-id', `msg_${i}_p`);
    m.set('webhook-timestamp', '1790000000');
    m.set('authorization', 'Bearer token');
    m.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    return m;
  };
  const cloned = (i: number): grpc.Metadata => {
    const m = base.clone();
    m.set('webhook-id', `msg_${i}_p`);
    m.set('webhook-timestamp', '1790000000');
    m.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    return m;
  };
  const variants: Variant[] = [
    { name: 'as on main: new Metadata per call, stack captured', metadata: perCall, noStack: false },
    { name: 'no caller stack (Error.stackTraceLimit 0 around the call)', metadata: perCall, noStack: true },
    { name: 'no caller stack + per-processor Metadata cloned', metadata: cloned, noStack: true },
  ];

  const call = (i: number, variant: Variant): Promise<void> =>
    new Promise((resolve, reject) => {
      const metadata = variant.metadata(i);
      const limit = Error.stackTraceLimit;
      if (variant.noStack) Error.stackTraceLimit = 0;
      try {
        client.makeUnaryRequest(
          dispatch.path,
          (b: Buffer) => b,
          dispatch.responseDeserialize,
          body,
          metadata,
          { deadline: Date.now() + 5000 },
          (err) => (err === null ? resolve() : reject(err)),
        );
      } finally {
        Error.stackTraceLimit = limit;
      }
    });
  const round = async (variant: Variant): Promise<number> => {
    let next = 0;
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CALLS) await call(next++, variant);
      }),
    );
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / CALLS;
  };
  for (const variant of variants) await round({ ...variant }); // warm-up
  const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < ROUNDS; r++) for (const variant of variants) results.get(variant.name)?.push(await round(variant));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const reference = median(results.get(variants[0]?.name ?? '') ?? []);
  for (const [name, xs] of results)
    console.log(
      `${median(xs).toFixed(1).padStart(7)} µs CPU per call (client side)  ×${(median(xs) / reference).toFixed(3)}  ${name}  [${xs.map((x) => x.toFixed(1)).join(' ')}]`,
    );

  // The pieces alone, 100k each.
  const loop = (name: string, fn: (i: number) => unknown): void => {
    const start = process.cpuUsage();
    for (let i = 0; i < 100_000; i++) fn(i);
    const used = process.cpuUsage(start);
    console.log(`${((used.user + used.system) / 100_000).toFixed(3).padStart(7)} µs  ${name}`);
  };
  for (let k = 0; k < 2; k++) {
    loop('new Error() (what makeUnaryRequest captures per call)', () => new Error());
    loop('new Metadata + 4 set', perCall);
    loop('per-processor Metadata clone + 3 set', cloned);
  }
  client.close();
  child.disconnect();
}
