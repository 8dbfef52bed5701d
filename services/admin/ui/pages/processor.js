// One processor: its numbers over a window, charts of attempts and latency, its configuration (secrets
// redacted by the API), and every action: pause/resume, redrive, and replay of its events by time range.
import { useRef, useState } from 'preact/hooks';
import { api, qs } from '../api.js';
import {
  ActionButton,
  Badge,
  ErrorNotice,
  LatencyChart,
  LiveBadge,
  ThroughputChart,
  Time,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtRate,
  html,
  toast,
  useData,
  useLive,
} from '../ui.js';
import { ProcessorActions, STATS_WINDOWS, processorState, rates } from './processors.js';

const POLL_MS = 5000;

export function ProcessorPage({ dispatcherId, params }) {
  const window = STATS_WINDOWS.includes(params.get('window')) ? params.get('window') : '1h';
  const id = encodeURIComponent(dispatcherId);
  const { data, error, reload } = useData(async () => {
    const [config, stats, timeline] = await Promise.all([
      api('GET', `/v1/processor/${id}`),
      api('GET', `/v1/processors/${id}/stats${qs({ window })}`),
      api('GET', `/v1/processors/${id}/timeline${qs({ window, buckets: 40 })}`),
    ]);
    return { processor: config.processor_conf_info, health: config.health, stats, timeline };
  }, [dispatcherId, window]);
  const mode = useLive({ watchPath: null, onChange: reload, pollMs: POLL_MS });
  if (data === undefined) {
    return html`<div class="crumbs"><a href="#/processors">Processors</a></div><h1>${dispatcherId}</h1>${error ? html`<${ErrorNotice} error=${error} />` : html`<p class="muted">Loading…</p>`}`;
  }
  const { processor: p, health, stats, timeline } = data;
  const r = rates(stats);
  return html`
    <div class="crumbs"><a href="#/processors">Processors</a></div>
    <div class="page-head">
      <h1>${p.dispatcher_id}</h1><${Badge} status=${processorState(p)} />
      ${health ? html`<span class="row muted">breaker <${Badge} status=${health.state} /></span>` : null}
      <label class="row muted" for="proc-window">Window
        <select id="proc-window" value=${window} onChange=${(e) => (location.hash = `#/processors/${id}?window=${e.currentTarget.value}`)}>
          ${STATS_WINDOWS.map((w) => html`<option value=${w}>${w}</option>`)}
        </select></label>
      <span class="spacer"></span>
      <${LiveBadge} mode=${mode} pollMs=${POLL_MS} />
      <${ProcessorActions} processor=${p} reload=${reload} compact=${false} />
      <${ReplayDialog} processor=${p} />
    </div>
    <${ErrorNotice} error=${error} />
    ${health?.auto_pause ? html`<div class="notice bad" role="status" style=${{ marginBottom: '14px' }}>Paused by dispatcher ${health.auto_pause.instance_id} at <${Time} value=${health.auto_pause.paused_at} />: ${health.auto_pause.reason}. Resume it once the endpoint is fixed.</div>` : null}
    ${health && health.state !== 'closed' && health.last_failure ? html`<div class="notice" role="status" style=${{ marginBottom: '14px' }}>Circuit breaker ${health.state.replace('_', '-')} since <${Time} value=${health.since} />; last failure: ${health.last_failure}${health.next_probe_at ? html`; next probe <${Time} value=${health.next_probe_at} />` : ''}</div>` : null}
    <div class="cards">
      <div class="card"><div class="label">Attempts/s</div><div class="value">${fmtRate(r.perS)}</div></div>
      <div class="card"><div class="label">Success</div><div class="value">${fmtPct(r.ratio)}</div></div>
      <div class="card"><div class="label">Latency p50</div><div class="value">${fmtMs(r.p50)}</div></div>
      <div class="card"><div class="label">Latency p99</div><div class="value">${fmtMs(r.p99)}</div></div>
      <div class="card"><div class="label">Consumer lag</div><div class="value" title=${stats.consumer_lag_error ?? ''}>${r.lag === null ? 'n/a' : fmtNum(r.lag)}</div></div>
      <div class="card"><div class="label">Dead (${window})</div><div class="value">${r.dead > 0 ? html`<a class="err-text" href=${`#/dead?dispatcher_id=${id}`}>${fmtNum(r.dead)}</a>` : '0'}</div></div>
    </div>
    <div class="chart-grid">
      <section class="panel"><div class="panel-head"><h2 style=${{ margin: 0 }}>Attempts</h2><span class="legend"><span><i class="ok"></i>succeeded</span><span><i class="bad"></i>failed</span></span></div>
        <div class="panel-body"><${ThroughputChart} buckets=${timeline.buckets} bucketMs=${timeline.bucket_ms} /></div></section>
      <section class="panel"><div class="panel-head"><h2 style=${{ margin: 0 }}>Latency</h2><span class="legend"><span><i class="p50"></i>p50</span><span><i class="p99"></i>p99</span></span></div>
        <div class="panel-body"><${LatencyChart} buckets=${timeline.buckets} /></div></section>
    </div>
    <div class="chart-grid">
      <section class="panel"><div class="panel-head"><h2 style=${{ margin: 0 }}>Deliveries updated in ${window}</h2></div>
        <div class="panel-body"><dl class="kv">${Object.entries(stats.deliveries).map(([k, v]) => html`<dt>${k}</dt><dd>${fmtNum(v)}</dd>`)}</dl></div></section>
      <section class="panel"><div class="panel-head"><h2 style=${{ margin: 0 }}>Configuration</h2><a href=${`#/events?dispatcher_id=${id}`}>Its events →</a></div>
        <div class="panel-body"><pre>${JSON.stringify(p, null, 2)}</pre></div></section>
    </div>
    ${
      stats.consumer_lag?.partitions?.length
        ? html`<section class="panel"><div class="panel-head"><h2 style=${{ margin: 0 }}>Consumer lag by partition</h2><span class="muted mono">${stats.consumer_lag.group}</span></div>
      <div class="table-wrap"><table><thead><tr><th scope="col" class="num">Partition</th><th scope="col" class="num">End offset</th><th scope="col" class="num">Committed</th><th scope="col" class="num">Lag</th></tr></thead>
      <tbody>${stats.consumer_lag.partitions.map((x) => html`<tr><td class="num">${x.partition}</td><td class="num">${fmtNum(x.end)}</td><td class="num">${x.committed ?? '–'}</td><td class="num">${fmtNum(x.lag)}</td></tr>`)}</tbody></table></div></section>`
        : null
    }`;
}

/** Replay this processor's events created in a time range, as a durable job (POST /v1/replay). */
function ReplayDialog({ processor }) {
  const dialog = useRef(null);
  const [since, setSince] = useState('1h');
  const [onlyFailed, setOnlyFailed] = useState(false);
  const replay = async () => {
    const ms = { '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 }[since];
    const query = {
      dispatcher_id: processor.dispatcher_id,
      since: new Date(Date.now() - ms).toISOString(),
      ...(onlyFailed ? { delivery_status: ['dead', 'failed'] } : {}),
    };
    const result = await api('POST', '/v1/replay', { query });
    dialog.current?.close();
    toast(html`${result.ret.msg}. <a href="#/replays">Follow it</a>`, 'ok');
  };
  return html`<button type="button" class="btn small" onClick=${() => dialog.current?.showModal()}>Replay…</button>
    <dialog ref=${dialog} aria-labelledby="replay-title">
      <form method="dialog" onSubmit=${(e) => e.preventDefault()}>
        <h2 id="replay-title">Replay to ${processor.dispatcher_id}</h2>
        <p class="muted" style=${{ margin: 0 }}>Every matching event gets a new manual attempt, at most 100 a second. Progress shows under Replays.</p>
        <label class="field" for="replay-since">Events created in the last
          <select id="replay-since" value=${since} onChange=${(e) => setSince(e.currentTarget.value)}>
            ${['15m', '1h', '24h', '7d'].map((w) => html`<option value=${w}>${w}</option>`)}
          </select></label>
        <label class="checks"><input type="checkbox" checked=${onlyFailed} onChange=${(e) => setOnlyFailed(e.currentTarget.checked)} /> Only deliveries that failed or died</label>
        <div class="actions"><${ActionButton} kind="primary" onClick=${replay}>Start replay</${ActionButton}><button type="button" class="btn small" onClick=${() => dialog.current?.close()}>Cancel</button></div>
      </form>
    </dialog>`;
}
