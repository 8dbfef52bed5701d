// Replay and redrive jobs, newest first, with their progress (done of matched), counts and state; a
// running job can be cancelled. Refreshed every 2 s while one runs.
import { api } from '../api.js';
import { ActionButton, Badge, Empty, ErrorNotice, LiveBadge, Time, fmtNum, html, toast, useData, useLive } from '../ui.js';

function describe(query) {
  const parts = [];
  if (query.dispatcher_id) parts.push(`processor ${query.dispatcher_id}`);
  if (query.app_id) parts.push(`app ${query.app_id}`);
  if (query.topic_id) parts.push(`topic ${query.topic_id}`);
  if (query.status) parts.push(`status ${query.status}`);
  if (query.delivery_status) parts.push(`deliveries ${query.delivery_status.join('/')}`);
  if (query.since) parts.push(`since ${new Date(query.since).toLocaleString()}`);
  if (query.until) parts.push(`until ${new Date(query.until).toLocaleString()}`);
  if (query.event_ids) parts.push(`${query.event_ids.length} event id(s)`);
  return parts.join(' · ') || 'every event';
}

export function ReplaysPage() {
  const { data, error, loading, reload } = useData(() => api('GET', '/v1/replays?limit=100'), []);
  const jobs = data?.replays ?? [];
  const running = jobs.some((j) => j.status === 'running');
  const mode = useLive({ watchPath: null, onChange: reload, pollMs: running ? 2000 : 10000 });
  const cancel = async (job) => {
    await api('POST', `/v1/replays/${job.replay_id}/cancel`, {});
    toast(`replay ${job.replay_id.slice(0, 8)} cancelled`, 'ok');
    await reload();
  };
  return html`
    <div class="page-head"><h1>Replays</h1><span class="spacer"></span><${LiveBadge} mode=${mode} pollMs=${running ? 2000 : 10000} /></div>
    <p class="muted" style=${{ marginTop: 0 }}>Jobs started by a bulk replay (<code>POST /v1/replay</code>, a processor's Replay…) or a dead-letter redrive.</p>
    <${ErrorNotice} error=${error} />
    <section class="panel">
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col" class="num">Matched</th><th scope="col" class="num">Replayed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Failed</th><th scope="col">Query</th><th scope="col">Created</th><th scope="col"></th></tr></thead>
        <tbody>${jobs.map((j) => {
          const done = j.replayed + j.skipped + j.failed;
          const ratio = j.matched === 0 ? 1 : Math.min(1, done / j.matched);
          return html`<tr key=${j.replay_id} data-replay=${j.replay_id}>
            <td class="mono" title=${j.replay_id}>${j.replay_id.slice(0, 8)}</td>
            <td>${j.kind}</td>
            <td><${Badge} status=${j.status} title=${j.error ?? undefined} /></td>
            <td><div class=${`progress ${j.status === 'succeeded' ? 'done' : ''}`} role="progressbar" aria-label=${`Replay ${j.replay_id.slice(0, 8)} progress`} aria-valuemin="0" aria-valuemax=${j.matched} aria-valuenow=${done}><span style=${{ width: `${(ratio * 100).toFixed(1)}%` }}></span></div></td>
            <td class="num">${fmtNum(j.matched)}</td>
            <td class="num">${fmtNum(j.replayed)}</td>
            <td class="num">${fmtNum(j.skipped)}</td>
            <td class="num">${j.failed > 0 ? html`<span class="err-text">${fmtNum(j.failed)}</span>` : '0'}</td>
            <td class="wrap muted">${describe(j.query)}</td>
            <td><${Time} value=${j.created_at} /></td>
            <td>${j.status === 'running' ? html`<${ActionButton} kind="danger" label=${`Cancel replay ${j.replay_id.slice(0, 8)}`} onClick=${() => cancel(j)}>Cancel</${ActionButton}>` : null}</td>
          </tr>`;
        })}</tbody>
      </table></div>
      ${!loading && jobs.length === 0 && error === undefined ? html`<${Empty}>No replay jobs yet.</${Empty}>` : null}
    </section>`;
}
