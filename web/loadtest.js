// Load test: the runs `loadgen --url URL --publish` posts once a second
// (GET /v1/admin/loadtests, then live `loadtest` events): target and
// achieved rate, p50/p90/p99, errors, sessions, resets; at the end the
// verdict and the HTML report.

import { api, download, esc, onEvent } from './api.js';

let root = null;
const runs = new Map(); // run_id -> run, as last published

onEvent((type, run) => {
  if (type !== 'loadtest') return;
  runs.set(run.run_id, run);
  if (root) render();
});

function num(v, digits = 0) { return v === undefined || v === null ? '–' : Number(v).toFixed(digits); }

function card(run) {
  const s = run.summary || {};
  const l = s.latency_ms || {};
  const div = document.createElement('section');
  div.className = 'card';
  div.dataset.testid = 'loadtest-run';
  div.dataset.runId = run.run_id;
  div.dataset.state = run.state;
  const verdict = s.verdict
    ? `<div class="verdict ${/pass|ok/i.test(s.verdict) ? 'verdict-pass' : 'verdict-fail'}" data-testid="loadtest-verdict">${esc(s.verdict)}</div>` : '';
  div.innerHTML = `<h3>${esc(run.run_id)} · ${esc(run.state)}</h3>
    <div class="big">${num(s.msgs_per_s, 1)} msg/s <span class="muted">of ${num(s.target_rate, 0)} target</span></div>
    <div>p50 <b>${num(l.p50, 2)}</b> · p90 <b>${num(l.p90, 2)}</b> · p99 <b>${num(l.p99, 2)}</b> · max <b>${num(l.max, 2)}</b> ms</div>
    <div>${num(s.acked)} acked of ${num(s.messages)} · errors <b>${num(s.errors)}</b> · sessions <b>${num(s.sessions)}</b>
      · resets <b>${num(s.resets)}</b> · ${num(s.seconds, 1)} s</div>${verdict}`;
  if (run.state === 'done' && run.report) {
    const b = document.createElement('button');
    b.textContent = 'download HTML report';
    b.addEventListener('click', () => (run.report.startsWith('/v1/')
      ? download(run.report, `${run.run_id}.html`) : window.open(run.report, '_blank', 'noopener')));
    div.append(b);
  }
  return div;
}

function render() {
  const list = [...runs.values()].sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
  const box = root.querySelector('.runs');
  box.replaceChildren(...list.map(card));
  if (!list.length) box.textContent = 'No load test published yet: run `switchboard loadgen --url URL --publish`.';
}

export function mount(el) {
  root = el;
  el.innerHTML = '<h2>Load test</h2><div class="cards runs"></div>';
  api('/v1/admin/loadtests').then((r) => {
    for (const run of r.runs.reverse()) if (!runs.has(run.run_id) || runs.get(run.run_id).updated_at <= run.updated_at) runs.set(run.run_id, run);
    if (root) render();
  }).catch((e) => { el.querySelector('.runs').textContent = e.message; });
  render();
}

export function unmount() { root = null; }
