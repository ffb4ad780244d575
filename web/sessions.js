// Sessions: the routing entries, filtered, sorted and paged by the server
// (GET /v1/sessions), with per-platform counts. A row opens the drawer.

import { api, esc, onEvent, readHash, setParams, fmtTime } from './api.js';

const PAGE = 50;
let root = null;
let pending = null;
let unsub = null;

function filterBar(p) {
  const bar = document.createElement('div');
  bar.className = 'filters';
  bar.innerHTML = `
    <input type="search" placeholder="key or title" data-testid="session-filter-text" name="q" value="${esc(p.get('q') || '')}">
    <select name="platform" data-testid="session-filter-platform"><option value="">all platforms</option></select>
    <select name="chat_type"><option value="">any chat type</option>
      ${['dm', 'group', 'channel', 'thread'].map((t) => `<option ${p.get('chat_type') === t ? 'selected' : ''}>${t}</option>`).join('')}</select>
    <select name="finalized"><option value="">finalized or not</option>
      <option value="false" ${p.get('finalized') === 'false' ? 'selected' : ''}>live</option>
      <option value="true" ${p.get('finalized') === 'true' ? 'selected' : ''}>finalized</option></select>
    <input type="number" min="0" name="active_minutes" placeholder="active within (min)" value="${esc(p.get('active_minutes') || '')}">
    <select name="sort">${['updated', 'created', 'tokens'].map((s) => `<option ${p.get('sort') === s ? 'selected' : ''}>${s}</option>`).join('')}</select>
    <select name="order"><option value="desc">newest / most first</option>
      <option value="asc" ${p.get('order') === 'asc' ? 'selected' : ''}>oldest / least first</option></select>`;
  for (const input of bar.querySelectorAll('input, select')) {
    const ev = input.type === 'search' || input.type === 'number' ? 'input' : 'change';
    input.addEventListener(ev, () => setParams({ [input.name]: input.value, page: '' }));
  }
  return bar;
}

function query(p) {
  const q = new URLSearchParams({ limit: PAGE, offset: (Number(p.get('page') || 1) - 1) * PAGE });
  for (const k of ['platform', 'chat_type', 'finalized', 'q', 'active_minutes', 'sort', 'order'])
    if (p.get(k)) q.set(k, p.get(k));
  return q;
}

function row(e) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'session-row';
  tr.dataset.sessionKey = e.session_key;
  tr.innerHTML = `<td>${esc(e.session_key)}</td><td>${esc(e.platform)}</td>
    <td class="hide-narrow">${esc(e.chat_type)}</td><td>${fmtTime(e.updated_at)}</td>
    <td class="hide-narrow">${e.total_tokens}</td>
    <td>${e.expiry_finalized ? '<span class="pill">finalized</span>' : ''}</td>`;
  tr.addEventListener('click', () => setParams({ open: e.session_id, hit: '' }));
  return tr;
}

async function load() {
  const p = readHash().params;
  const token = Symbol('load');
  pending = token;
  const data = await api(`/v1/sessions?${query(p)}`);
  if (pending !== token || !root) return;
  const select = root.querySelector('[name=platform]');
  const chosen = p.get('platform') || '';
  select.replaceChildren(new Option('all platforms', ''));
  for (const name of Object.keys(data.platforms)) select.append(new Option(name || '(unknown)', name));
  if (chosen && !(chosen in data.platforms)) select.append(new Option(chosen, chosen));
  select.value = chosen;
  root.querySelector('.counts').innerHTML = Object.entries(data.platforms)
    .map(([k, n]) => `<span class="pill">${esc(k || 'unknown')}: ${n}</span>`).join('');
  root.querySelector('tbody').replaceChildren(...data.sessions.map(row));
  const page = Number(p.get('page') || 1);
  const pages = Math.max(1, Math.ceil(data.total / PAGE));
  root.querySelector('.pager span').textContent = `page ${page} of ${pages} · ${data.total} sessions`;
  root.querySelector('.prev').disabled = page <= 1;
  root.querySelector('.next').disabled = page >= pages;
}

export function mount(el, params) {
  root = el;
  const h = document.createElement('h2');
  h.textContent = 'Sessions';
  const counts = document.createElement('div');
  counts.className = 'counts';
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.innerHTML = `<table><thead><tr><th>key</th><th>platform</th><th class="hide-narrow">type</th>
    <th>updated</th><th class="hide-narrow">tokens</th><th></th></tr></thead><tbody></tbody></table>`;
  const pager = document.createElement('div');
  pager.className = 'filters pager';
  pager.innerHTML = '<button class="prev">‹ prev</button><span></span><button class="next">next ›</button>';
  pager.querySelector('.prev').addEventListener('click', () => setParams({ page: Number(readHash().params.get('page') || 1) - 1 }));
  pager.querySelector('.next').addEventListener('click', () => setParams({ page: Number(readHash().params.get('page') || 1) + 1 }));
  el.append(h, filterBar(params), counts, wrap, pager);
  load().catch((e) => console.warn(e));
  // New, reset and expired sessions show up live (one reload a second at most).
  let timer = null;
  unsub = onEvent((type) => {
    if (!['session_created', 'session_reset', 'session_expired', 'reconnecting'].includes(type) || timer) return;
    timer = setTimeout(() => { timer = null; if (root) load().catch((e) => console.warn(e)); }, 1000);
  });
}

export function update() { load().catch((e) => console.warn(e)); }
export function unmount() { root = null; if (unsub) unsub(); }
