// Expiry: the next and last sweep, sessions due per hour for the next 24 h
// (idle and daily, so the reset-hour herd shows), flushes queued / in
// flight / failed, and the resets seen since the page opened.

import { api, esc, onEvent, fmtTime } from './api.js';
import { barChart, makeSvg } from './charts.js';

const recent = []; // newest first, at most 50
let root = null;
let reloadTimer = null;
let lastStats = null;

onEvent((type, data) => {
  if (type === 'stats') { lastStats = data; if (root) showStats(); return; }
  if (type === 'session_expired' || type === 'session_reset') {
    recent.unshift({ type, data, at: new Date() });
    recent.length = Math.min(recent.length, 50);
  }
  if (root && ['session_expired', 'session_reset', 'session_created', 'reconnecting'].includes(type)) {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => { if (root) load(); }, 500);
  }
});

function showStats() {
  const s = lastStats;
  if (!s || !s.flushes) return;
  const sweep = s.last_sweep
    ? `${fmtTime(s.last_sweep.at)} · ${s.last_sweep.duration_ms.toFixed(1)} ms · ${s.last_sweep.expired} expired` : 'none yet';
  root.querySelector('.sweeps').innerHTML = `next sweep <b>${fmtTime(s.next_sweep)}</b><br>last sweep <b>${sweep}</b>`;
  root.querySelector('.flushes').innerHTML = `queued <b>${s.flushes.queued}</b> · in flight <b>${s.flushes.in_flight}</b>
    · failed <b>${s.flushes.failed}</b> · ok <b>${s.flushes.ok}</b>`;
}

function showRecent() {
  root.querySelector('.recent').innerHTML = recent.length
    ? recent.map((r) => `<li>${r.at.toLocaleTimeString()} <b>${esc(r.type)}</b> ${esc(r.data.session_key)}
        ${esc(r.data.reason || r.data.auto_reset_reason || '')}</li>`).join('')
    : '<li class="muted">no resets since this page opened</li>';
}

async function load() {
  const [f, s] = await Promise.all([api('/v1/expiry/forecast?hours=24'), api('/v1/stats')]);
  if (!root) return;
  lastStats = s;
  showStats();
  showRecent();
  const rows = f.buckets.map((b) => ({ label: new Date(b.hour).getHours() + 'h', idle: b.idle, daily: b.daily }));
  barChart(root.querySelector('svg'), rows);
  const box = root.querySelector('[data-testid=expiry-forecast]');
  box.dataset.idle = rows.reduce((a, r) => a + r.idle, 0);
  box.dataset.daily = rows.reduce((a, r) => a + r.daily, 0);
  box.dataset.first = f.buckets.length ? f.buckets[0].hour : '';
  box.querySelector('tbody').innerHTML = f.buckets.filter((b) => b.idle || b.daily)
    .map((b) => `<tr data-hour="${esc(b.hour)}"><td>${fmtTime(b.hour)}</td><td>${b.idle}</td><td>${b.daily}</td></tr>`).join('');
}

export function mount(el) {
  root = el;
  el.innerHTML = `<h2>Expiry</h2>
    <div class="cards">
      <section class="card"><h3>Sweeps</h3><div class="sweeps">–</div></section>
      <section class="card"><h3>Flushes</h3><div class="flushes">–</div></section>
    </div>
    <section class="card" data-testid="expiry-forecast"><h3>Due per hour, next 24 h (blue idle, red daily)</h3>
      <div class="chart-slot"></div>
      <table><thead><tr><th>hour</th><th>idle</th><th>daily</th></tr></thead><tbody></tbody></table></section>
    <section class="card"><h3>Recent resets</h3><ul class="recent"></ul></section>`;
  el.querySelector('.chart-slot').append(makeSvg('chart bars', 'sessions due per hour'));
  load().catch((e) => { console.warn('expiry', e); el.querySelector('.sweeps').textContent = e.message; });
}

export function unmount() { root = null; }
