// The CLI's client of the admin HTTP API: the global options (--admin-url, --admin-token, --output), JSON over
// global fetch, and one error per failure that main.ts prints as a single line: the API's own message
// with its EY_* code and HTTP status, or which URL could not be reached.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EventyardError } from '@eventyard/core/foundation';
import { isLoopbackUrl, readDevAdminToken } from './dev-admin-token.ts';
import { CliErrors } from './error-codes.ts';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8081';

export type OutputFormat = 'table' | 'json';

/** Options every admin command reads (they sit on the root program, so they go before or after the command). */
export interface GlobalOptions {
  adminUrl: string;
  token?: string;
  output: OutputFormat;
}

/** Adds --admin-url, --admin-token and -o/--output to the root program. */
export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option('--admin-url <url>', 'admin API base URL').env('EY_ADMIN_URL').default(DEFAULT_ADMIN_URL))
    .addOption(
      new Option(
        '--admin-token <token>',
        'admin token or API key, sent as authorization: Bearer (default for a local admin: the one `eventyard dev` keeps in <EY_DATA_DIR or ./data>/admin-token)',
      ).env('EY_ADMIN_TOKEN'),
    )
    // The flag's earlier name, kept so existing scripts keep working.
    .addOption(new Option('--token <token>').hideHelp())
    .addOption(new Option('-o, --output <format>', 'table for people, json (the API answer) for scripts').choices(['table', 'json']).default('table'));
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<GlobalOptions & { adminToken?: string }>();
  const given = [options.adminToken, options.token].find((value) => value !== undefined && value !== '');
  const token = given ?? devToken(options.adminUrl);
  return { adminUrl: options.adminUrl, output: options.output, ...(token === undefined ? {} : { token }) };
}

/**
 * The local `eventyard dev` stack's token, for an admin on this machine only. Its data dir is the one dev
 * uses by default (EY_DATA_DIR or ./data); another data dir's token is passed with --admin-token.
 */
function devToken(adminUrl: string): string | undefined {
  if (!isLoopbackUrl(adminUrl)) return undefined;
  return readDevAdminToken(resolve(process.env.EY_DATA_DIR ?? './data'));
}

/** The admin API answered with an error status. */
export class AdminApiError extends EventyardError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The API's own EY_* code (`error` in the body), or `HTTP_<status>` when the body had none. */
  readonly apiCode: string;

  constructor(status: number, apiCode: string, apiMessage: string) {
    super(CliErrors.EY_CLI_ADMIN_ERROR, `eventyard: ${apiMessage} (${apiCode}, HTTP ${status})`, { context: { status, apiCode } });
    this.name = 'AdminApiError';
    this.status = status;
    this.apiCode = apiCode;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
}

export interface AdminClient {
  readonly baseUrl: string;
  /** Sends one request and returns the parsed JSON body of a 2xx answer; throws AdminApiError otherwise. */
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

/** Path segments are always encoded, so an id with `/` or `?` cannot reach another route. */
export function pathOf(...segments: string[]): string {
  return segments.map((segment, index) => (index === 0 ? segment : encodeURIComponent(segment))).join('/');
}

export function createAdminClient(options: { baseUrl: string; token?: string }): AdminClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new EventyardError(CliErrors.EY_CLI_USAGE, `eventyard: --admin-url "${options.baseUrl}" is not a URL (e.g. ${DEFAULT_ADMIN_URL})`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new EventyardError(CliErrors.EY_CLI_USAGE, `eventyard: --admin-url "${options.baseUrl}" must be an http:// or https:// URL`);
  }
  return {
    baseUrl,
    async request<T>(method: string, path: string, requestOptions: RequestOptions = {}): Promise<T> {
      const url = new URL(`${baseUrl}${path}`);
      for (const [name, value] of Object.entries(requestOptions.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      const init: RequestInit = { method, headers };
      if (requestOptions.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(requestOptions.body);
      }
      let res: Response;
      try {
        res = await fetch(url, init);
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
        throw new EventyardError(
          CliErrors.EY_CLI_ADMIN_UNREACHABLE,
          `eventyard: cannot reach the admin API at ${baseUrl} (${why}); set --admin-url or EY_ADMIN_URL`,
          { cause: err },
        );
      }
      const text = await res.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!res.ok) {
        const parsed = (body ?? {}) as { ret?: { msg?: unknown }; error?: unknown };
        const message = typeof parsed.ret?.msg === 'string' ? parsed.ret.msg : `${method} ${path} failed${text === '' ? '' : `: ${firstLine(text)}`}`;
        throw new AdminApiError(res.status, typeof parsed.error === 'string' ? parsed.error : `HTTP_${res.status}`, message);
      }
      if (body === undefined && text !== '') {
        throw new EventyardError(
          CliErrors.EY_CLI_ADMIN_ERROR,
          `eventyard: ${method} ${path} answered ${res.status} with a body that is not JSON (is ${baseUrl} the admin API?)`,
        );
      }
      return (body ?? {}) as T;
    },
  };
}

/** The admin client for a command, from the global options. */
export function adminClientFor(command: Command): AdminClient {
  const { adminUrl, token } = globalOptions(command);
  return createAdminClient({ baseUrl: adminUrl, ...(token === undefined ? {} : { token }) });
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Follows `next_cursor` from page to page, collecting the array under `key`. */
export async function fetchAllPages<T>(client: AdminClient, path: string, key: string, query: Query, onPage?: (items: T[]) => void): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await client.request<Record<string, unknown>>('GET', path, { query: { ...query, ...(cursor === undefined ? {} : { cursor }) } });
    const items = Array.isArray(page[key]) ? (page[key] as T[]) : [];
    all.push(...items);
    onPage?.(items);
    const next = page.next_cursor;
    if (typeof next !== 'string' || next === '' || next === cursor) return all;
    cursor = next;
  }
}
