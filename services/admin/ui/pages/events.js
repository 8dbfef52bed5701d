// Events search: the filters of GET /v1/events (app, topic, event status, processor, delivery status,
// outcome, retry source, time range, event ids), newest first with keyset pages, refreshed live.
import { api, qs } from '../api.js';
import { Badge, Empty, ErrorNotice, LiveBadge, Time, html, triggerName, useData, useLive } from '../ui.js';

const WINDOWS = { '': 'Any time', '15m': 'Last 15 minutes', '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' };
const WINDOW_MS = { '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 };
const EVENT_STATUSES = ['routed', 'filtered', 'no_subscribers', 'scheduled', 'rejected', 'cancelled'];
const DELIVERY_STATUSES = ['pending', 'scheduled', 'delivering', 'succeeded', 'failed', 'dead', 'filtered', 'cancelled'];
const FIELDS = ['app_id', 'topic_id', 'status', 'dispatcher_id', 'delivery_status', 'outcome', 'retry_source', 'window', 'since', 'until', 'event_id'];
const PAGE = 50;

/** The API query for the page's parameters: a window becomes `since`; local datetime fields become RFC 3339. */
function apiQuery(params) {
  const query = {};
  for (const name of FIELDS) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    if (name === 'window') query.since = new Date(Date.now() - (WINDOW_MS[value] ?? 0)).toISOString();
    else if (name === 'since' || name === 'until') query[name] = new Date(value).toISOString();
    else query[name] = value.trim();
  }
  const cursor = params.get('cursor');
  return { ...query, ...(cursor ? { cursor } : {}), limit: PAGE };
}

function go(values) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && String(value).trim() !== '') search.set(key, String(value).trim());
  location.hash = `#/events${search.size > 0 ? `?${search}` : ''}`;
}

export function EventsPage({ params }) {
  const key = params.toString();
  const { data, error, loading, reload } = useData(() => api('GET', `/v1/events${qs(apiQuery(params))}`), [key]);
  const firstPage = !params.get('cursor');
  const watchPath = `/v1/watch${qs({ app_id: params.get('app_id'), topic_id: params.get('topic_id'), dispatcher_id: params.get('dispatcher_id') })}`;
  const mode = useLive({ watchPath, onChange: reload, pollMs: 3000, enabled: firstPage });
  const value = (name) => params.get(name) ?? '';
  // The form's fields are uncontrolled (defaultValue / defaultSelected) and the form is keyed by the
  // query: a live refresh of the results re-renders this page while someone types, and a controlled
  // `value` would put the field back to the URL's value under their fingers. A new query remounts it.

  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    go(Object.fromEntries(FIELDS.map((name) => [name, form.get(name)])));
  };
  const select = (name, label, options) => html`<label class="field">${label}
      <select name=${name}>
        <option value="" defaultSelected=${value(name) === ''}>Any</option>
        ${options.map((o) => html`<option value=${o} defaultSelected=${value(name) === o}>${o.replaceAll('_', ' ')}</option>`)}
      </select></label>`;
  const text = (name, label, placeholder = '') =>
    html`<label class="field">${label}<input name=${name} defaultValue=${value(name)} placeholder=${placeholder} autocomplete="off" spellcheck="false" /></label>`;

  const events = data?.events ?? [];
  return html`
    <div class="page-head"><h1>Events</h1><span class="spacer"></span><${LiveBadge} mode=${firstPage ? mode : 'done'} /></div>
    <section class="panel" aria-label="Search">
      <form class="filters" key=${key} onSubmit=${submit} role="search">
        ${text('app_id', 'App id')}
        ${text('topic_id', 'Topic id')}
        ${select('status', 'Event status', EVENT_STATUSES)}
        ${text('dispatcher_id', 'Processor')}
        ${select('delivery_status', 'Delivery status', DELIVERY_STATUSES)}
        ${select('outcome', 'Outcome', ['success', 'failure'])}
        ${select('retry_source', 'Retry source', ['auto', 'manual'])}
        <label class="field">Time
          <select name="window">${Object.entries(WINDOWS).map(([v, l]) => html`<option value=${v} defaultSelected=${value('window') === v}>${l}</option>`)}</select></label>
        <label class="field">Since<input type="datetime-local" step="1" name="since" defaultValue=${value('since')} /></label>
        <label class="field">Until<input type="datetime-local" step="1" name="until" defaultValue=${value('until')} /></label>
        ${text('event_id', 'Event ids', 'id, id, …')}
        <div class="actions"><button class="btn primary" type="submit">Search</button><button class="btn" type="button" onClick=${() => go({})}>Clear</button></div>
      </form>
    </section>
    <${ErrorNotice} error=${error} />
    <section class="panel" aria-label="Results">
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Event</th><th scope="col">App / topic</th><th scope="col">Status</th><th scope="col">Trigger</th><th scope="col">Source</th><th scope="col" class="num">Payload</th><th scope="col">Created</th></tr></thead>
          <tbody>
            ${events.map(
              (e) => html`<tr key=${e.event_id}>
              <td><a class="mono" href=${`#/events/${e.event_id}`}>${e.event_id}</a>${e.broadcast ? html` <span class="badge info">broadcast</span>` : null}</td>
              <td>${e.app_id} <span class="muted">/</span> ${e.topic_id}</td>
              <td><${Badge} status=${e.status} /></td>
              <td class="muted">${triggerName(e.trigger_type)}</td>
              <td class="muted">${e.source ?? '–'}</td>
              <td class="num muted">${e.payload_pruned_at ? 'pruned' : `${e.payload_size ?? 0} B`}</td>
              <td><${Time} value=${e.created_at} /></td>
            </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${!loading && events.length === 0 && error === undefined ? html`<${Empty}>No events match.</${Empty}>` : null}
      <div class="panel-head" style=${{ borderBottom: 'none', borderTop: events.length > 0 ? '1px solid var(--border)' : 'none' }}>
        <span class="muted">${loading ? 'Loading…' : `${events.length} event(s)${firstPage ? '' : ' (older page)'}`}</span>
        <span class="spacer" style=${{ flex: 1 }}></span>
        ${firstPage ? null : html`<button class="btn small" type="button" onClick=${() => go(Object.fromEntries(FIELDS.map((n) => [n, params.get(n)])))}>Newest</button>`}
        <button class="btn small" type="button" disabled=${!data?.next_cursor} onClick=${() => go({ ...Object.fromEntries(FIELDS.map((n) => [n, params.get(n)])), cursor: data.next_cursor })}>Older →</button>
      </div>
    </section>`;
}
