// Dead letters: deliveries whose attempts ran out (GET /v1/deliveries?status=dead), newest first, with
// their last error; replay one, or redrive every dead delivery of a processor. Refreshed live.
import { api, qs } from '../api.js';
import { ActionButton, Empty, ErrorNotice, LiveBadge, Time, html, toast, useData, useLive } from '../ui.js';

export function DeadLettersPage({ params }) {
  const dispatcherId = params.get('dispatcher_id') ?? '';
  const appId = params.get('app_id') ?? '';
  const cursor = params.get('cursor') ?? '';
  const { data, error, loading, reload } = useData(
    () => api('GET', `/v1/deliveries${qs({ status: 'dead', dispatcher_id: dispatcherId, app_id: appId, cursor, limit: 50 })}`),
    [dispatcherId, appId, cursor],
  );
  const mode = useLive({ watchPath: `/v1/watch${qs({ dispatcher_id: dispatcherId, app_id: appId })}`, onChange: reload, pollMs: 3000, enabled: cursor === '' });
  const rows = data?.deliveries ?? [];
  const processors = [...new Set(rows.map((d) => d.dispatcher_id))];
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    location.hash = `#/dead${qs({ dispatcher_id: String(form.get('dispatcher_id')).trim(), app_id: String(form.get('app_id')).trim() })}`;
  };
  const redrive = async (id) => {
    const result = await api('POST', `/v1/processors/${encodeURIComponent(id)}/redrive`, {});
    toast(result.replay_id ? html`${result.ret.msg}. <a href="#/replays">Follow it</a>` : result.ret.msg, 'ok');
  };
  const replay = async (d) => {
    const result = await api('POST', `/v1/events/${d.event_id}/replay`, { dispatcher_id: d.dispatcher_id });
    toast(result.ret?.msg ?? 'replayed', 'ok');
    await reload();
  };
  return html`
    <div class="page-head"><h1>Dead letters</h1><span class="spacer"></span><${LiveBadge} mode=${cursor === '' ? mode : 'done'} /></div>
    <section class="panel" aria-label="Filter">
      <form class="filters" onSubmit=${submit}>
        <label class="field">Processor<input name="dispatcher_id" value=${dispatcherId} autocomplete="off" /></label>
        <label class="field">App id<input name="app_id" value=${appId} autocomplete="off" /></label>
        <div class="actions"><button class="btn primary" type="submit">Filter</button></div>
      </form>
      ${
        processors.length > 0
          ? html`<div class="panel-body row" style=${{ borderTop: '1px solid var(--border)' }}>
        <span class="muted">Redrive every dead delivery of</span>
        ${processors.map((id) => html`<${ActionButton} key=${id} label=${`Redrive dead deliveries of ${id}`} confirm=${`Give every dead delivery of ${id} a new attempt?`} onClick=${() => redrive(id)}>${id}</${ActionButton}>`)}
      </div>`
          : null
      }
    </section>
    <${ErrorNotice} error=${error} />
    <section class="panel">
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Event</th><th scope="col">Processor</th><th scope="col">App / topic</th><th scope="col" class="num">Attempts</th><th scope="col">Last error</th><th scope="col">Died</th><th scope="col">Actions</th></tr></thead>
        <tbody>${rows.map(
          (d) => html`<tr key=${d.delivery_id} data-event=${d.event_id}>
          <td><a class="mono" href=${`#/events/${d.event_id}`}>${d.event_id}</a></td>
          <td><a href=${`#/processors/${encodeURIComponent(d.dispatcher_id)}`}>${d.dispatcher_id}</a></td>
          <td>${d.app_id} <span class="muted">/</span> ${d.topic_id}</td>
          <td class="num">${d.attempt_count}</td>
          <td class="wrap err-text">${d.last_error_code ? html`<code>${d.last_error_code}</code> ` : null}${d.last_error ?? '–'}</td>
          <td><${Time} value=${d.finished_at ?? d.updated_at} /></td>
          <td><${ActionButton} label=${`Replay event ${d.event_id} to ${d.dispatcher_id}`} onClick=${() => replay(d)}>Replay</${ActionButton}></td>
        </tr>`,
        )}</tbody>
      </table></div>
      ${!loading && rows.length === 0 && error === undefined ? html`<${Empty}>No dead deliveries${dispatcherId ? ` for ${dispatcherId}` : ''}.</${Empty}>` : null}
      ${data?.next_cursor ? html`<div class="panel-body"><a class="btn small" href=${`#/dead${qs({ dispatcher_id: dispatcherId, app_id: appId, cursor: data.next_cursor })}`}>Older →</a></div>` : null}
    </section>`;
}
