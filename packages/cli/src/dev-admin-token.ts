// The admin token of a local `eventyard dev` stack: generated once per data dir and kept in
// `<data dir>/admin-token` (mode 0600), so restarts keep it and `curl -H "authorization: Bearer $(cat
// data/admin-token)"` works. The CLI reads the same file when no token was given and --admin-url points
// at this machine, so `eventyard processors list` works against the dev stack with no flags, and the
// local token is never sent to another host.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_ADMIN_TOKEN_FILE = 'admin-token';

/** `<dataDir>/admin-token`. */
export function devAdminTokenPath(dataDir: string): string {
  return join(dataDir, DEV_ADMIN_TOKEN_FILE);
}

/** The data dir's token, created (32 random bytes, hex) on first use. */
export function ensureDevAdminToken(dataDir: string): string {
  const file = devAdminTokenPath(dataDir);
  const existing = readDevAdminToken(dataDir);
  if (existing !== undefined) return existing;
  const token = randomBytes(32).toString('hex');
  // 'wx': two dev processes racing on one data dir must not overwrite each other's token.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return token;
}

/** The token stored in a data dir, or undefined when it has none. */
export function readDevAdminToken(dataDir: string): string | undefined {
  const file = devAdminTokenPath(dataDir);
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  return token === '' ? undefined : token;
}

/** Whether a URL names this machine's loopback: only then may the dev token be sent to it. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  } catch {
    return false;
  }
}
