// What every page of the console shares: the `html` template tag (htm over Preact), data and live-update
// hooks, formatting, status badges, toasts, and the inline SVG charts.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { watch } from './api.js';

export const html = htm.bind(h);

// ---- data ---------------------------------------------------------------------------------------------

/** Runs `load` now and whenever `deps` change; `reload()` runs it again without clearing what is shown. */
export function useData(load, deps) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const seq = useRef(0);
  const run = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const data = await load();
      if (mine === seq.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    void run();
  }, [run]);
  return { ...state, reload: run };
}

/**
 * Keeps a page current: follows `watchPath` (an SSE route of the admin) and calls `onChange` after each
 * status change (at most every 300 ms) and after the stream opens or reopens, so nothing between the page's
 * first read and the stream's start is missed; when the admin has no watch routes, or `watchPath` is null,
 * calls it every `pollMs` instead. Returns how: 'live', 'polling', 'connecting' or 'done'.
 */
export function useLive({ watchPath, onChange, pollMs = 3000, reconnect = true, enabled = true }) {
  const [mode, setMode] = useState('connecting');
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    if (!enabled) {
      setMode('done');
      return undefined;
    }
    const controller = new AbortController();
    let timer;
    let pending;
    let trailing;
    const poll = () => {
      setMode('polling');
      timer = setInterval(() => void callback.current(), pollMs);
    };
    if (watchPath === null) {
      poll();
    } else {
      setMode('connecting');
      const changed = () => {
        // A change can reach the stream before its history row is committed (the router produces a
        // round's status records and writes its rows at once), so look once more when changes stop.
        clearTimeout(trailing);
        trailing = setTimeout(() => void callback.current(), 2000);
        if (pending !== undefined) return;
        pending = setTimeout(() => {
          pending = undefined;
          void callback.current();
        }, 300);
      };
      void watch(watchPath, {
        signal: controller.signal,
        reconnect,
        // A stream starts at the feed's position when it opens: a change between the page's first read
        // and then (the admin's first stream waits for its Kafka consumer to join) is in neither, so an
        // open counts as a change and the page reads again.
        onOpen: () => {
          setMode('live');
          changed();
        },
        onEvent: changed,
      }).then((how) => {
        if (controller.signal.aborted) return;
        if (how === 'unsupported') poll();
        else if (how === 'ended') {
          setMode('done');
          void callback.current();
        }
      });
    }
    return () => {
      controller.abort();
      clearInterval(timer);
      clearTimeout(pending);
      clearTimeout(trailing);
    };
  }, [watchPath, pollMs, reconnect, enabled]);
  return mode;
}

export function LiveBadge({ mode, pollMs = 3000 }) {
  const text = { live: 'Live', polling: `Refreshing every ${Math.round(pollMs / 1000)} s`, connecting: 'Connecting…', done: 'Final' }[mode] ?? mode;
  return html`<span class=${`live ${mode === 'live' ? 'on' : ''}`} role="status" title=${mode === 'live' ? 'Following the admin’s status stream' : ''}><span class="dot" aria-hidden="true"></span>${text}</span>`;
}

// ---- toasts -------------------------------------------------------------------------------------------

const toastListeners = new Set();
let toastSeq = 0;

export function toast(text, kind = 'info') {
  const item = { id: ++toastSeq, text, kind };
  for (const listener of toastListeners) listener(item);
}

export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const listener = (item) => {
      setItems((all) => [...all, item]);
      setTimeout(() => setItems((all) => all.filter((x) => x.id !== item.id)), item.kind === 'bad' ? 9000 : 5000);
    };
    toastListeners.add(listener);
    return () => toastListeners.delete(listener);
  }, []);
  return html`<div class="toasts" role="log" aria-live="polite">${items.map((t) => html`<div key=${t.id} class=${`toast ${t.kind}`}>${t.text}</div>`)}</div>`;
}

/** A button running an async action: disabled while it runs; a failure becomes a toast with the API's message. */
export function ActionButton({ onClick, children, kind = '', label, disabled = false, confirm }) {
  const [busy, setBusy] = useState(false);
  const click = async () => {
    if (confirm !== undefined && !window.confirm(confirm)) return;
    setBusy(true);
    try {
      await onClick();
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'bad');
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class=${`btn small ${kind}`} disabled=${disabled || busy} aria-busy=${busy} aria-label=${label} onClick=${click}>${children}</button>`;
}

// ---- formatting ---------------------------------------------------------------------------------------

export function fmtTime(value) {
  if (value === null || value === undefined) return '–';
  const date = new Date(value);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return today ? time : `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${time}`;
}

export function Time({ value }) {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`;
  return html`<time datetime=${new Date(value).toISOString()} title=${new Date(value).toISOString()}>${fmtTime(value)}</time>`;
}

export function fmtMs(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value === 0) return '0';
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  return `${(value / 60_000).toFixed(1)} min`;
}

export function fmtNum(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A rate per second; a small one is still told apart from none. */
export function fmtRate(perS) {
  if (perS === undefined || perS === null || Number.isNaN(perS)) return '–';
  if (perS > 0 && perS < 0.01) return '<0.01';
  return fmtNum(perS, 2);
}

const TRIGGERS = ['real time', 'real time', 'delay', 'repeat', 'delay process'];

/** EvHub's EventTriggerType number as words (0, "invalid", is treated as real time). */
export function triggerName(type) {
  return TRIGGERS[type] ?? (type === null || type === undefined ? '–' : String(type));
}

export function fmtPct(ratio) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '–';
  return `${(ratio * 100).toFixed(ratio >= 0.999 || ratio === 0 ? 0 : 1)}%`;
}

const TONES = {
  succeeded: 'ok',
  success: 'ok',
  ok: 'ok',
  active: 'ok',
  routed: 'ok',
  dead: 'bad',
  failed: 'bad',
  failure: 'bad',
  rejected: 'bad',
  timeout: 'bad',
  error: 'bad',
  pending: 'info',
  scheduled: 'info',
  delivering: 'info',
  running: 'info',
  in_flight: 'info',
  paused: 'warn',
  stopped: 'warn',
  cancel: 'warn',
  // circuit breaker states
  closed: 'ok',
  half_open: 'warn',
  open: 'bad',
};

export function Badge({ status, title }) {
  return html`<span class=${`badge ${TONES[status] ?? ''}`} title=${title}>${String(status).replaceAll('_', ' ')}</span>`;
}

export function ErrorNotice({ error }) {
  if (error === undefined) return null;
  return html`<div class="notice bad" role="alert">${error.message ?? String(error)}</div>`;
}

export function Empty({ children }) {
  return html`<div class="empty">${children}</div>`;
}

// ---- charts -------------------------------------------------------------------------------------------

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function clock(value) {
  return new Date(value).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Stacked bars of successes (green) and failures (red) per bucket. */
export function ThroughputChart({ buckets, bucketMs }) {
  const W = 480,
    H = 150,
    L = 34,
    B = 18,
    T = 8;
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.success + b.failure)));
  const bw = (W - L) / Math.max(1, buckets.length);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const total = buckets.reduce((sum, b) => sum + b.success + b.failure, 0);
  const failed = buckets.reduce((sum, b) => sum + b.failure, 0);
  const perS = (n) => fmtNum(n / (bucketMs / 1000), 2);
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`Attempts per bucket: ${total} in all, ${failed} failed`}>
    ${[0, 0.5, 1].map((f) => html`<line class="grid" x1=${L} x2=${W} y1=${y(max * f)} y2=${y(max * f)} /><text x=${L - 4} y=${y(max * f) + 3} text-anchor="end">${fmtNum(max * f)}</text>`)}
    ${buckets.map((b, i) => {
      const x = L + i * bw + 1;
      const w = Math.max(1, bw - 2);
      return html`<g><title>${`${clock(b.at)}: ${b.success} ok, ${b.failure} failed (${perS(b.success + b.failure)}/s)`}</title>
        <rect class="ok" x=${x} width=${w} y=${y(b.success)} height=${Math.max(0, y(0) - y(b.success))} rx="1" />
        <rect class="bad" x=${x} width=${w} y=${y(b.success + b.failure)} height=${Math.max(0, y(b.success) - y(b.success + b.failure))} rx="1" /></g>`;
    })}
    ${buckets.length > 0 ? html`<text x=${L} y=${H - 4}>${clock(buckets[0].at)}</text><text x=${W} y=${H - 4} text-anchor="end">now</text>` : null}
  </svg>`;
}

/** p50 and p99 latency per bucket, as lines (buckets without attempts leave a gap). */
export function LatencyChart({ buckets }) {
  const W = 480,
    H = 150,
    L = 44,
    B = 18,
    T = 8;
  const values = buckets.flatMap((b) => [b.latency_p50_ms, b.latency_p99_ms]).filter((v) => v !== null);
  const max = niceMax(Math.max(0, ...values));
  const bw = (W - L) / Math.max(1, buckets.length);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const path = (key) => {
    let d = '';
    let pen = false;
    buckets.forEach((b, i) => {
      const v = b[key];
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${(L + i * bw + bw / 2).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label="Attempt latency p50 and p99 per bucket">
    ${[0, 0.5, 1].map((f) => html`<line class="grid" x1=${L} x2=${W} y1=${y(max * f)} y2=${y(max * f)} /><text x=${L - 4} y=${y(max * f) + 3} text-anchor="end">${fmtMs(max * f)}</text>`)}
    <path class="p99" d=${path('latency_p99_ms')} />
    <path class="p50" d=${path('latency_p50_ms')} />
    ${buckets.map((b, i) => (b.latency_p50_ms === null ? null : html`<circle cx=${L + i * bw + bw / 2} cy=${y(b.latency_p50_ms)} r="1.8" class="ok"><title>${`${clock(b.at)}: p50 ${fmtMs(b.latency_p50_ms)}, p99 ${fmtMs(b.latency_p99_ms)}`}</title></circle>`))}
    ${buckets.length > 0 ? html`<text x=${L} y=${H - 4}>${clock(buckets[0].at)}</text><text x=${W} y=${H - 4} text-anchor="end">now</text>` : null}
  </svg>`;
}

/** A table cell's tiny version of ThroughputChart. */
export function Spark({ buckets }) {
  const W = 120,
    H = 26;
  const max = Math.max(1, ...buckets.map((b) => b.success + b.failure));
  const bw = W / Math.max(1, buckets.length);
  const total = buckets.reduce((sum, b) => sum + b.success + b.failure, 0);
  return html`<svg class="chart spark" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`${total} attempts in the window`}>
    <line class="axis" x1="0" x2=${W} y1=${H - 0.5} y2=${H - 0.5} />
    ${buckets.map((b, i) => {
      const hs = (H - 1) * (b.success / max);
      const hf = (H - 1) * (b.failure / max);
      return html`<g><rect class="ok" x=${i * bw + 0.5} width=${Math.max(0.5, bw - 1)} y=${H - 1 - hs} height=${hs} /><rect class="bad" x=${i * bw + 0.5} width=${Math.max(0.5, bw - 1)} y=${H - 1 - hs - hf} height=${hf} /></g>`;
    })}
  </svg>`;
}

/**
 * One delivery's attempts on a time axis starting at the event's creation: a bar per attempt as long as
 * its latency (at least a few pixels), green for a success and red for a failure, so the retry spacing and
 * the slow attempts show at a glance.
 */
export function AttemptTimeline({ attempts, origin }) {
  if (attempts.length === 0) return null;
  const W = 1000,
    H = 46,
    L = 8,
    R = 8;
  const start = new Date(origin).getTime();
  const ends = attempts.map((a) => new Date(a.finished_at ?? a.started_at).getTime() + 0);
  const end = Math.max(start + 1, ...ends, ...attempts.map((a) => new Date(a.started_at).getTime()));
  const span = end - start;
  const x = (t) => L + ((W - L - R) * (t - start)) / span;
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`Attempt timeline: ${attempts.length} attempt(s) over ${fmtMs(span)}`}>
    <line class="axis" x1=${L} x2=${W - R} y1="24" y2="24" />
    ${attempts.map((a) => {
      const s = new Date(a.started_at).getTime();
      const x0 = x(s);
      const width = Math.max(4, x(s + (a.latency_ms ?? 0)) - x0);
      const tone = a.outcome === 'success' ? 'ok' : a.outcome === 'in_flight' ? 'other' : 'bad';
      return html`<g><title>${`#${a.attempt_no} ${a.outcome} at +${fmtMs(s - start)}, ${fmtMs(a.latency_ms)}${a.error_message ? `: ${a.error_message}` : ''}`}</title>
        <rect class=${tone} x=${x0} y="16" width=${width} height="16" rx="3" />
        <text x=${x0} y="11">#${a.attempt_no}</text></g>`;
    })}
    <text x=${L} y=${H - 2}>created</text>
    <text x=${W - R} y=${H - 2} text-anchor="end">+${fmtMs(span)}</text>
  </svg>`;
}
