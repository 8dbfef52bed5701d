// The console's shell: sign-in, the sidebar, and the hash router (`#/events?app_id=…`, `#/events/<id>`,
// `#/processors`, …: the page is one file at /ui/, so every view is a bookmarkable fragment).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, credential, onSignedOut, signIn, signOut, takeTokenFromFragment } from './api.js';
import { html, Toasts } from './ui.js';
import { EventsPage } from './pages/events.js';
import { EventPage } from './pages/event.js';
import { ProcessorsPage } from './pages/processors.js';
import { ProcessorPage } from './pages/processor.js';
import { DeadLettersPage } from './pages/dead-letters.js';
import { ReplaysPage } from './pages/replays.js';
import { KeysPage } from './pages/keys.js';

/** The current route: path segments and query parameters of the fragment. */
function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

const icon = (d) =>
  html`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${d} /></svg>`;
const NAV = [
  { id: 'events', label: 'Events', icon: 'M3 6h18M3 12h18M3 18h12' },
  { id: 'processors', label: 'Processors', icon: 'M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01' },
  { id: 'dead', label: 'Dead letters', icon: 'M12 9v4M12 17h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z' },
  { id: 'replays', label: 'Replays', icon: 'M1 4v6h6M23 20v-6h-6M20.5 9A9 9 0 0 0 5.6 5.6L1 10m22 4-4.6 4.4A9 9 0 0 1 3.5 15' },
  { id: 'keys', label: 'API keys', icon: 'M21 2l-2 2m-7.6 7.6a5.5 5.5 0 1 1-7.8 7.8 5.5 5.5 0 0 1 7.8-7.8zm0 0L15.5 7.5m0 0 3 3L22 7l-3-3m-3.5 3.5L19 4' },
];

function Page({ route }) {
  const [section = 'events', id] = route.parts;
  if (section === 'events' && id !== undefined) return html`<${EventPage} key=${id} eventId=${id} />`;
  if (section === 'events') return html`<${EventsPage} params=${route.params} />`;
  if (section === 'processors' && id !== undefined) return html`<${ProcessorPage} key=${id} dispatcherId=${id} params=${route.params} />`;
  if (section === 'processors') return html`<${ProcessorsPage} params=${route.params} />`;
  if (section === 'dead') return html`<${DeadLettersPage} params=${route.params} />`;
  if (section === 'replays') return html`<${ReplaysPage} />`;
  if (section === 'keys') return html`<${KeysPage} />`;
  return html`<div class="empty">No page “${section}”. <a href="#/events">Go to events</a></div>`;
}

function SignIn({ onDone, reason }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(reason);
  const submit = async (e) => {
    e.preventDefault();
    const candidate = value.trim();
    if (candidate === '') return;
    signIn(candidate);
    try {
      // Any route proves the credential; a key lacking events:read is still a valid key (403, not 401).
      await api('GET', '/v1/events?limit=1');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return onDone();
      signOut();
      setError(err instanceof ApiError && err.status === 401 ? 'Not accepted: neither the admin token nor an active API key.' : err.message);
    }
  };
  return html`<main class="signin panel" id="main">
    <div class="brand"><img src="/ui/favicon.svg" alt="" />Eventyard console</div>
    <h1>Sign in</h1>
    <p>Paste the admin token (<code>EY_ADMIN_TOKEN</code>; with <code>eventyard dev</code> it is in <code>data/admin-token</code>) or an API key for every app (<code>app_ids ["*"]</code>) with the permissions you need. It is kept in this tab only.</p>
    <form onSubmit=${submit}>
      <label class="field" for="credential">Admin token or API key</label>
      <input id="credential" type="password" autocomplete="off" spellcheck="false" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} autofocus />
      ${error ? html`<div class="notice bad" role="alert">${error}</div>` : null}
      <button class="btn primary" type="submit">Sign in</button>
    </form>
  </main>`;
}

function App() {
  const [route, setRoute] = useState(currentRoute());
  // null: not known yet (an open admin, EY_ADMIN_AUTH=none, needs no credential)
  const [signedIn, setSignedIn] = useState(credential() !== null ? true : null);
  const [reason, setReason] = useState(undefined);

  useEffect(() => {
    const onHash = () => {
      takeTokenFromFragment();
      setRoute(currentRoute());
      document.getElementById('main')?.focus({ preventScroll: true });
    };
    addEventListener('hashchange', onHash);
    const off = onSignedOut((why) => {
      setSignedIn(false);
      setReason(why === 'rejected' ? 'The admin API did not accept the credential (missing, wrong, revoked or expired). Sign in again.' : undefined);
    });
    if (signedIn === null) {
      // No credential: an admin running without authentication answers anyway.
      api('GET', '/v1/events?limit=1').then(
        () => setSignedIn(true),
        (err) => setSignedIn(!(err instanceof ApiError && err.status === 401)),
      );
    }
    return () => {
      removeEventListener('hashchange', onHash);
      off();
    };
  }, []);

  if (signedIn === null) return html`<p class="boot">Loading…</p>`;
  if (!signedIn)
    return html`<${SignIn} reason=${reason} onDone=${() => {
      setReason(undefined);
      setSignedIn(true);
    }} /><${Toasts} />`;
  const section = route.parts[0] ?? 'events';
  return html`<a class="skip" href="#main" onClick=${(e) => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  }}>Skip to content</a>
    <div class="shell">
      <nav class="side" aria-label="Console">
        <div class="brand"><img src="/ui/favicon.svg" alt="" />Eventyard</div>
        <div class="nav">
          ${NAV.map((item) => html`<a href=${`#/${item.id}`} aria-current=${section === item.id ? 'page' : undefined}>${icon(item.icon)}${item.label}</a>`)}
        </div>
        <div class="side-foot">
          <a href="/openapi.json" target="_blank" rel="noopener">API reference</a>
          ${credential() !== null ? html`<button type="button" class="btn small" onClick=${() => signOut()}>Sign out</button>` : null}
        </div>
      </nav>
      <main id="main" tabindex="-1"><${Page} route=${route} /></main>
    </div>
    <${Toasts} />`;
}

takeTokenFromFragment();
if (location.hash === '' || location.hash === '#') history.replaceState(null, '', '#/events');
const root = document.getElementById('root');
// Preact renders beside what is there: the boot message goes first.
root.textContent = '';
render(html`<${App} />`, root);
