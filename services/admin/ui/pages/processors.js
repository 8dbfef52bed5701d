// Processors at a glance: per processor its attempt rate, success ratio, latency p50/p99 and consumer lag
// over a window (GET /v1/processors/:id/stats), a sparkline of its attempts (…/timeline), and the
// operator's actions: pause, resume, redrive its dead deliveries.
import { api, qs } from '../api.js';
import { ActionButton, Badge, Empty, ErrorNotice, LiveBadge, Spark, fmtMs, fmtNum, fmtPct, fmtRate, html, toast, useData, useLive } from '../ui.js';

export const STATS_WINDOWS = ['15m', '1h', '24h', '7d'];
const POLL_MS = 5000;

export function processorState(p) {
  if (p.paused) return 'paused';
  if (p.is_stop) return 'stopped';
  return 'active';
}

/** Attempts per second, success ratio and latency from a stats answer. */
export function rates(stats) {
  const total = stats?.attempts?.total ?? 0;
  const success = stats?.attempts?.success ?? 0;
  return {
    perS: stats === undefined ? undefined : total / stats.window_s,
    ratio: total === 0 ? undefined : success / total,
    p50: stats?.latency_ms?.p50 ?? null,
    p99: stats?.latency_ms?.p99 ?? null,
    lag: stats?.consumer_lag === undefined ? undefined : (stats.consumer_lag?.total ?? null),
    dead: stats?.deliveries?.dead ?? 0,
  };
}

async function loadAll(window) {
  const list = await api('GET', '/v1/processors?limit=100');
  const rows = await Promise.all(
    list.processors.map(async (p) => {
      const id = encodeURIComponent(p.dispatcher_id);
      const [stats, timeline] = await Promise.all([
        api('GET', `/v1/processors/${id}/stats${qs({ window })}`).catch(() => undefined),
        api('GET', `/v1/processors/${id}/timeline${qs({ window, buckets: 24 })}`).catch(() => undefined),
      ]);
      // The breaker's state over the live dispatchers (admins that report it; absent before).
      return { processor: p, stats, timeline, health: list.health?.[p.dispatcher_id] };
    }),
  );
  return { rows, more: list.next_cursor !== null };
}

/** Pause, resume and redrive: shared by the list and a processor's own page. */
export function ProcessorActions({ processor, reload, compact = true }) {
  const id = processor.dispatcher_id;
  const path = `/v1/processors/${encodeURIComponent(id)}`;
  const flip = async (action) => {
    await api('POST', `${path}/${action}`, {});
    toast(`${id} ${action}d`, 'ok');
    await reload();
  };
  const redrive = async () => {
    const result = await api('POST', `${path}/redrive`, {});
    toast(result.replay_id ? html`${result.ret.msg}. <a href="#/replays">Follow it</a>` : result.ret.msg, 'ok');
    await reload();
  };
  return html`<div class="actions">
    ${
      processor.paused
        ? html`<${ActionButton} kind=${compact ? '' : 'primary'} label=${`Resume ${id}`} onClick=${() => flip('resume')}>Resume</${ActionButton}>`
        : html`<${ActionButton} label=${`Pause ${id}`} onClick=${() => flip('pause')}>Pause</${ActionButton}>`
    }
    <${ActionButton} label=${`Redrive dead deliveries of ${id}`} confirm=${`Give every dead delivery of ${id} a new attempt?`} onClick=${redrive}>Redrive dead</${ActionButton}>
  </div>`;
}

export function ProcessorsPage({ params }) {
  const window = STATS_WINDOWS.includes(params.get('window')) ? params.get('window') : '1h';
  const { data, error, loading, reload } = useData(() => loadAll(window), [window]);
  const mode = useLive({ watchPath: null, onChange: reload, pollMs: POLL_MS });
  const rows = data?.rows ?? [];
  return html`
    <div class="page-head">
      <h1>Processors</h1>
      <label class="row muted" for="stats-window">Window
        <select id="stats-window" value=${window} onChange=${(e) => (location.hash = `#/processors?window=${e.currentTarget.value}`)}>
          ${STATS_WINDOWS.map((w) => html`<option value=${w}>${w}</option>`)}
        </select></label>
      <span class="spacer"></span><${LiveBadge} mode=${mode} pollMs=${POLL_MS} />
    </div>
    <${ErrorNotice} error=${error} />
    <section class="panel">
      <div class="table-wrap"><table>
        <thead><tr>
          <th scope="col">Processor</th><th scope="col">App / topic</th><th scope="col">Protocol</th><th scope="col">State</th><th scope="col">Breaker</th>
          <th scope="col" class="num">Attempts/s</th><th scope="col" class="num">Success</th><th scope="col" class="num">p50</th><th scope="col" class="num">p99</th>
          <th scope="col" class="num">Lag</th><th scope="col" class="num">Dead</th><th scope="col">Activity (${window})</th><th scope="col">Actions</th>
        </tr></thead>
        <tbody>${rows.map(({ processor: p, stats, timeline, health }) => {
          const r = rates(stats);
          return html`<tr key=${p.dispatcher_id} data-processor=${p.dispatcher_id}>
            <td><a href=${`#/processors/${encodeURIComponent(p.dispatcher_id)}?window=${window}`}>${p.dispatcher_id}</a></td>
            <td>${p.app_id} <span class="muted">/</span> ${p.topic_id}</td>
            <td class="muted">${p.protocol_type}</td>
            <td class="state"><${Badge} status=${processorState(p)} title=${health?.auto_pause ? `paused by a dispatcher: ${health.auto_pause.reason}` : undefined} /></td>
            <td>${health ? html`<${Badge} status=${health.state} title=${health.last_failure ?? undefined} />` : '–'}</td>
            <td class="num">${fmtRate(r.perS)}</td>
            <td class="num">${fmtPct(r.ratio)}</td>
            <td class="num">${fmtMs(r.p50)}</td>
            <td class="num">${fmtMs(r.p99)}</td>
            <td class="num" title=${stats?.consumer_lag_error ?? ''}>${r.lag === undefined ? '–' : r.lag === null ? 'n/a' : fmtNum(r.lag)}</td>
            <td class="num">${r.dead > 0 ? html`<a class="err-text" href=${`#/dead?dispatcher_id=${encodeURIComponent(p.dispatcher_id)}`}>${fmtNum(r.dead)}</a>` : '0'}</td>
            <td>${timeline ? html`<${Spark} buckets=${timeline.buckets} />` : '–'}</td>
            <td><${ProcessorActions} processor=${p} reload=${reload} /></td>
          </tr>`;
        })}</tbody>
      </table></div>
      ${!loading && rows.length === 0 && error === undefined ? html`<${Empty}>No processors yet. Create one with <code>POST /v1/processor</code> or <code>eventyard apply</code>.</${Empty}>` : null}
      ${data?.more ? html`<p class="muted" style=${{ padding: '0 14px' }}>Showing the first 100 processors.</p>` : null}
    </section>`;
}
