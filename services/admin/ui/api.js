// The console's only way to the data: the admin API, with the credential the operator signed in with
// (the admin token or an API key) sent as `authorization: Bearer` on every call. The credential lives in
// sessionStorage: it goes when the tab closes, is never in a URL the server sees, and is never a cookie,
// so no other site can make the browser send it (no CSRF to guard against).
// Live updates read the admin's Server-Sent Events through fetch (EventSource cannot send a header).

const TOKEN_KEY = 'eventyard.console.credential';
const signedOutListeners = new Set();

export function credential() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** `why` is 'rejected' when the API refused the credential, undefined when the operator signed out. */
export function signOut(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  for (const listener of signedOutListeners) listener(why);
}

/** Called on sign-out, and when the API answers 401: the credential is missing, wrong, revoked or expired. */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/**
 * `#token=…` in the console's URL (what `eventyard dev` prints) signs in and is removed from the address
 * bar and history at once. A fragment never reaches a server, a proxy or an access log.
 */
export function takeTokenFromFragment() {
  const match = /^#token=([^&]+)(?:&(.*))?$/.exec(location.hash);
  if (match === null) return;
  signIn(decodeURIComponent(match[1]));
  const rest = match[2] === undefined ? '' : decodeURIComponent(match[2]);
  history.replaceState(null, '', `${location.pathname}${location.search}${rest.startsWith('/') ? `#${rest}` : '#/events'}`);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra) {
  const value = credential();
  return { accept: 'application/json', ...(value === null ? {} : { authorization: `Bearer ${value}` }), ...extra };
}

/** One JSON call; throws ApiError with the API's own `ret.msg` when it refuses. */
export async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }), cache: 'no-store' };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  let data = {};
  try {
    data = await res.json();
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  if (res.status === 401) signOut('rejected');
  if (!res.ok) throw new ApiError(res.status, data?.ret?.code, data?.ret?.msg ?? `${res.status} ${res.statusText}`);
  return data;
}

/** A query string from an object, leaving out empty values. */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Follows a Server-Sent Events stream of the admin API, resuming with Last-Event-ID after a drop.
 * Resolves 'unsupported' when the admin has no such route (404/405/501: an older admin, then the caller
 * polls), 'ended' when the server closed the stream on purpose (an event's deliveries are all final), or
 * 'closed' when `signal` aborted it.
 */
export async function watch(path, { onEvent, onOpen, signal, reconnect = true }) {
  let lastId;
  for (;;) {
    if (signal.aborted) return 'closed';
    let res;
    try {
      res = await fetch(path, {
        headers: headers({ accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) }),
        cache: 'no-store',
        signal,
      });
    } catch {
      if (signal.aborted) return 'closed';
      await pause(3000, signal);
      continue;
    }
    if (res.status === 404 || res.status === 405 || res.status === 501) return 'unsupported';
    if (res.status === 401) {
      signOut('rejected');
      return 'closed';
    }
    if (!res.ok || res.body === null || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await res.body?.cancel();
      await pause(3000, signal);
      continue;
    }
    onOpen?.();
    try {
      for await (const message of sseMessages(res.body, signal)) {
        if (message.id !== undefined) lastId = message.id;
        if (message.data !== '') onEvent(message);
      }
    } catch {
      if (signal.aborted) return 'closed';
      // A dropped connection: resume below from the last id seen.
    }
    if (signal.aborted) return 'closed';
    if (!reconnect) return 'ended';
    await pause(1000, signal);
  }
}

/** The SSE wire format (WHATWG HTML, "event stream interpretation"): fields per line, a blank line ends a message. */
async function* sseMessages(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const stop = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', stop, { once: true });
  let buffer = '';
  let message = { event: 'message', data: [], id: undefined };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (message.data.length > 0 || message.id !== undefined) yield { event: message.event, data: message.data.join('\n'), id: message.id };
          message = { event: 'message', data: [], id: undefined };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = text;
        else if (field === 'data') message.data.push(text);
        else if (field === 'id' && !text.includes('\0')) message.id = text;
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
