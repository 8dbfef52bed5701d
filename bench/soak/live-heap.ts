// A Node process's live heap: opens its inspector (SIGUSR1, which every Node process honours unless
// started with --disable-sigusr1), forces a full garbage collection over the DevTools protocol, reads
// process.memoryUsage() and closes the inspector again. The heap size a process reports on its own
// (prom-client's nodejs_heap_size_used_bytes) includes garbage not collected yet, and V8 lets that grow
// with the allocation rate for a long time, so only the size after a forced collection tells a leak from
// a heap still growing to its working size. The inspector listens on 127.0.0.1:9229; the answer is
// checked against the pid, so another process on that port is never read by mistake. One process at a
// time (the soak samples them in turn); the collection pauses the process for a few ms.

export interface LiveHeap {
  heapUsedBytes: number;
  externalBytes: number;
}

const PORT = 9229;

interface Target {
  webSocketDebuggerUrl: string;
}

async function targets(timeoutMs: number): Promise<Target[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/json/list`);
      const list = (await res.json()) as Target[];
      if (list.length > 0) return list;
    } catch {
      // Not listening yet: the signal is handled on the process's next turn of its event loop.
    }
    if (Date.now() > deadline) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until nothing answers on the inspector port, so the next process's SIGUSR1 can bind it. */
async function portFree(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${PORT}/json/version`);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends DevTools protocol calls over one WebSocket; each call resolves with its result. */
function session(ws: WebSocket): (method: string, params?: object) => Promise<Record<string, unknown>> {
  let next = 0;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (waiter === undefined || message.id === undefined) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result ?? {});
  });
  ws.addEventListener('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('inspector connection closed'));
    pending.clear();
  });
  return (method, params = {}) =>
    new Promise((resolve, reject) => {
      next += 1;
      pending.set(next, { resolve, reject });
      ws.send(JSON.stringify({ id: next, method, params }));
    });
}

async function evaluate(call: ReturnType<typeof session>, expression: string): Promise<unknown> {
  const result = (await call('Runtime.evaluate', { expression, returnByValue: true })) as { result?: { value?: unknown } };
  return result.result?.value;
}

/** The live heap of `pid` after a forced full GC; undefined when its inspector cannot be reached in `timeoutMs`. */
export async function liveHeap(pid: number, timeoutMs = 5000): Promise<LiveHeap | undefined> {
  try {
    process.kill(pid, 'SIGUSR1');
  } catch {
    return undefined;
  }
  for (const target of await targets(timeoutMs)) {
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    try {
      await new Promise<void>((resolve, reject) => {
        ws.addEventListener('open', () => resolve(), { once: true });
        ws.addEventListener('error', () => reject(new Error('inspector connection failed')), { once: true });
      });
      const call = session(ws);
      if ((await evaluate(call, 'process.pid')) !== pid) continue;
      await call('HeapProfiler.collectGarbage');
      const usage = JSON.parse(String(await evaluate(call, 'JSON.stringify(process.memoryUsage())'))) as { heapUsed: number; external: number };
      // Frees the port for the next process; the reply may not come before the socket goes.
      void call('Runtime.evaluate', { expression: "process.getBuiltinModule('node:inspector').close()" }).catch(() => undefined);
      ws.close();
      await portFree(timeoutMs);
      return { heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
    } catch {
      // Another process's inspector, or one that went away: try the next target.
    } finally {
      ws.close();
    }
  }
  return undefined;
}
