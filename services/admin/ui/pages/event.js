// One event: what it is, and per processor its delivery with an attempt timeline and every attempt
// (latency, outcome, error, response excerpt); replay to all or one processor. Follows the event's watch
// stream until every delivery is final (or polls while one is not, on an admin without watch routes).
import { api } from '../api.js';
import { ActionButton, AttemptTimeline, Badge, Empty, ErrorNotice, LiveBadge, Time, fmtMs, html, toast, triggerName, useData, useLive } from '../ui.js';

const FINAL = new Set(['succeeded', 'dead', 'failed', 'filtered', 'cancelled']);

export function EventPage({ eventId }) {
  const { data, error, reload } = useData(() => api('GET', `/v1/events/${encodeURIComponent(eventId)}`), [eventId]);
  const deliveries = data?.deliveries ?? [];
  const open = data === undefined || deliveries.some((d) => !FINAL.has(d.status)) || data.next_due_at !== null;
  // Followed while a delivery is still open; a dropped stream resumes (Last-Event-ID) until then.
  const mode = useLive({ watchPath: `/v1/events/${encodeURIComponent(eventId)}/watch`, onChange: reload, pollMs: 2000, enabled: open });

  if (error !== undefined && data === undefined) {
    return html`<div class="crumbs"><a href="#/events">Events</a></div><h1 class="mono">${eventId}</h1><${ErrorNotice} error=${error} />`;
  }
  if (data === undefined) return html`<p class="muted">Loading event ${eventId}…</p>`;
  const event = data.event;
  const traceId = event.trace_id ?? data.trace_id ?? null;
  const replayAll = async () => {
    const result = await api('POST', `/v1/events/${eventId}/replay`, {});
    toast(result.ret?.msg ?? 'replayed', 'ok');
    await reload();
  };
  return html`
    <div class="crumbs"><a href="#/events">Events</a> / <a href=${`#/events?app_id=${encodeURIComponent(event.app_id)}&topic_id=${encodeURIComponent(event.topic_id)}`}>${event.app_id} / ${event.topic_id}</a></div>
    <div class="page-head">
      <h1 class="mono">${event.event_id}</h1><${Badge} status=${event.status} title=${event.status_reason ?? undefined} />
      <span class="spacer"></span>
      <${LiveBadge} mode=${open ? mode : 'done'} pollMs=${2000} />
      <${ActionButton} kind="primary" onClick=${replayAll} confirm="Replay this event to the processors routing picks today?">Replay</${ActionButton}>
    </div>
    <${ErrorNotice} error=${error} />
    <div class="chart-grid">
      <section class="panel" aria-label="Event">
        <div class="panel-body">
          <dl class="kv">
            <dt>App / topic</dt><dd>${event.app_id} / ${event.topic_id}</dd>
            <dt>Status</dt><dd>${event.status}${event.status_reason ? html` <span class="muted">(${event.status_reason})</span>` : null}</dd>
            <dt>Trigger</dt><dd>${triggerName(event.trigger_type)}${event.broadcast ? ' · broadcast' : ''}</dd>
            <dt>Source</dt><dd>${event.source ?? '–'}</dd>
            <dt>Ordering key</dt><dd class="mono">${event.ordering_key ?? '–'}</dd>
            <dt>Trace id</dt><dd class="mono">${traceId ?? html`<span class="muted">none recorded</span>`}</dd>
            <dt>Created</dt><dd><${Time} value=${event.created_at} /></dd>
            <dt>Next due</dt><dd><${Time} value=${data.next_due_at} /></dd>
          </dl>
        </div>
      </section>
      <section class="panel" aria-label="Payload">
        <div class="panel-head"><h2 style=${{ margin: 0 }}>Payload</h2><span class="muted">${event.payload.size} bytes</span></div>
        <div class="panel-body">${payloadView(event.payload)}</div>
      </section>
    </div>
    <h2>Deliveries</h2>
    ${deliveries.length === 0 ? html`<div class="panel"><${Empty}>No processor took this event (${event.status.replaceAll('_', ' ')}).</${Empty}></div>` : null}
    ${deliveries.map((d) => html`<${Delivery} key=${d.dispatcher_id} delivery=${d} event=${event} reload=${reload} />`)}`;
}

function payloadView(payload) {
  if (payload.pruned_at) return html`<p class="muted">Pruned by retention at <${Time} value=${payload.pruned_at} />.</p>`;
  if (payload.json !== undefined) return html`<pre>${JSON.stringify(payload.json, null, 2)}</pre>`;
  if (payload.base64 === null || payload.size === 0) return html`<p class="muted">Empty.</p>`;
  return html`<pre>${payload.base64}</pre><p class="muted">Binary payload, shown as base64.</p>`;
}

function Delivery({ delivery: d, event, reload }) {
  const replayOne = async () => {
    const result = await api('POST', `/v1/events/${event.event_id}/replay`, { dispatcher_id: d.dispatcher_id });
    toast(result.ret?.msg ?? 'replayed', 'ok');
    await reload();
  };
  return html`<section class="panel delivery" aria-label=${`Delivery to ${d.dispatcher_id}`} data-dispatcher=${d.dispatcher_id}>
    <div class="panel-head">
      <h3><a href=${`#/processors/${encodeURIComponent(d.dispatcher_id)}`}>${d.dispatcher_id}</a></h3>
      <${Badge} status=${d.status} />
      <span class="muted">${d.attempt_count} attempt(s)${d.retry_source ? ` · last ${d.retry_source}` : ''}</span>
      ${d.next_due_at ? html`<span class="muted">next <${Time} value=${d.next_due_at} /></span>` : null}
      <span style=${{ flex: 1 }}></span>
      <${ActionButton} onClick=${replayOne} label=${`Replay to ${d.dispatcher_id}`}>Replay to this processor</${ActionButton}>
    </div>
    <div class="panel-body">
      ${d.last_error ? html`<p class="err-text" style=${{ margin: '0 0 8px' }}>${d.last_error_code ? html`<code>${d.last_error_code}</code> ` : null}${d.last_error}</p>` : null}
      <${AttemptTimeline} attempts=${d.attempts} origin=${event.created_at} />
    </div>
    ${
      d.attempts.length === 0
        ? null
        : html`<div class="table-wrap"><table class="attempts">
      <thead><tr><th scope="col" class="num">#</th><th scope="col">Source</th><th scope="col">Started</th><th scope="col" class="num">Latency</th><th scope="col">Outcome</th><th scope="col">Response</th><th scope="col">Error</th><th scope="col">Response excerpt</th></tr></thead>
      <tbody>${d.attempts.map(
        (a) => html`<tr key=${a.attempt_no}>
        <td class="num">${a.attempt_no}</td>
        <td>${a.retry_source}${a.retry_times > 0 ? html` <span class="muted">retry ${a.retry_times}</span>` : null}</td>
        <td><${Time} value=${a.started_at} /></td>
        <td class="num">${fmtMs(a.latency_ms)}</td>
        <td><${Badge} status=${a.outcome} /></td>
        <td class="mono">${a.response_status ?? '–'}${a.ret_code !== null && a.ret_code !== undefined ? html` <span class="muted">ret ${a.ret_code}</span>` : null}</td>
        <td class="wrap">${a.error_code ? html`<code>${a.error_code}</code> ` : null}${a.error_message ?? (a.error_code ? '' : html`<span class="muted">–</span>`)}</td>
        <td class="mono excerpt" title=${a.response_excerpt ?? ''}>${a.response_excerpt ?? html`<span class="muted">–</span>`}</td>
      </tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>`;
}
