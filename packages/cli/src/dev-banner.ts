// What `eventyard dev` prints once everything is ready: every address a newcomer needs, in one place,
// on stderr (stdout carries the log lines, which stay JSON when piped and so stay machine-readable).
import { SERVICES } from './stack.ts';
import { portLabel } from './dev-ports.ts';

export interface BannerInput {
  /** Where clients on this machine reach the listeners. */
  localHost: string;
  /** The interface the listeners bind (--host). */
  host: string;
  portOffset: number;
  /** `host:port` of the embedded broker, or undefined when EY_KAFKA_BROKERS points elsewhere. */
  embeddedBroker: string | undefined;
  /** The embedded Postgres's URL (dev's own throwaway credentials), or undefined when EY_DATABASE_URL is set. */
  embeddedPostgres: string | undefined;
  /** The file holding the admin token, or 'EY_ADMIN_TOKEN' when the token came from the environment. */
  adminTokenSource: string;
  dataDir: string;
  /** The admin's web console, when the admin serves one (see adminConsoleUrl). */
  consoleUrl: string | undefined;
}

export function devBanner(input: BannerInput): string {
  const { localHost, portOffset } = input;
  const rows: [string, string][] = [];
  for (const service of SERVICES) {
    for (const p of service.ports) {
      const address = `${localHost}:${p.port + portOffset}`;
      rows.push([portLabel(service.name, p.name), p.protocol === 'http' ? `http://${address}` : address]);
    }
  }
  const tokenAt = input.adminTokenSource === 'EY_ADMIN_TOKEN' ? 'from EY_ADMIN_TOKEN' : `in ${input.adminTokenSource}`;
  rows.push(['admin token', `${tokenAt} (send "authorization: Bearer <token>"; the eventyard CLI reads it by itself for a local --admin-url)`]);
  // The console row appears only when the admin answers on /ui (an admin built without it shows none).
  if (input.consoleUrl !== undefined) rows.push(['console', input.consoleUrl]);
  rows.push(['broker', input.embeddedBroker ?? 'external (EY_KAFKA_BROKERS)']);
  rows.push(['postgres', input.embeddedPostgres ?? 'external (EY_DATABASE_URL)']);
  rows.push(['health/metrics', `${SERVICES.map((s) => `${s.name} :${s.healthPort + portOffset}`).join(', ')} (/healthz /readyz /metrics)`]);
  rows.push(['data dir', input.dataDir]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const listening = input.host === localHost ? '' : ` (listening on ${input.host})`;
  return [`eventyard dev is ready${listening}; Ctrl-C stops it`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`)].join('\n') + '\n';
}

/**
 * The admin's console URL if the admin serves one: asked rather than assumed, so that the banner shows
 * it exactly when `GET /ui` answers (any 2xx or a redirect to the page). With `signInToken` (dev's own
 * token from its data dir) the URL signs in by itself: the token rides in the fragment (`#token=`), which
 * the browser never sends to the server, so it reaches no request line and no access log, and the
 * console removes it from the address bar as soon as it has read it.
 */
export async function adminConsoleUrl(adminUrl: string, token: string, signInToken?: string): Promise<string | undefined> {
  const url = `${adminUrl}/ui`;
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual', signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    if (res.status >= 400) return undefined;
    return signInToken === undefined ? `${url}/` : `${url}/#token=${encodeURIComponent(signInToken)}`;
  } catch {
    return undefined;
  }
}
