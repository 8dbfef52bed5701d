// The image's HEALTHCHECK: exits 0 when GET /healthz on EY_HEALTH_PORT answers 2xx within the timeout,
// 1 otherwise. Plain JavaScript with no imports, so it runs in any stage and costs only a node start-up.
const raw = process.env.EY_HEALTH_PORT ?? '';
const port = Number(raw);
if (!/^\d+$/.test(raw) || port <= 0 || port > 65535) {
  // Port 0 means "any free port": there is no fixed address to probe, so the check cannot pass.
  console.error(`healthcheck: EY_HEALTH_PORT must be a fixed port, got "${raw}"`);
  process.exit(1);
}
const timeoutMs = Number(process.env.EY_HEALTHCHECK_TIMEOUT_MS ?? 3000);
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  if (!res.ok) console.error(`healthcheck: /healthz answered ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`healthcheck: /healthz unreachable on port ${port}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
