// Search (GET /v1/search): highlighted snippets with source and role; the
// source, role and user filters; a click opens the transcript at the hit.

import { api, esc, readHash, setParams, fmtTime } from './api.js';

let root = null;
let typing = null;

function snippet(text) {
  // The store marks hits with >>> and <<< (SPEC 10).
  return esc(text).replace(/&gt;&gt;&gt;/g, '<mark>').replace(/&lt;&lt;&lt;/g, '</mark>');
}

function result(r, p) {
  const div = document.createElement('div');
  div.className = 'result';
  div.dataset.testid = 'search-result';
  div.dataset.sessionId = r.session_id;
  div.innerHTML = `<div class="muted"><span class="pill">${esc(r.source)}</span> <span class="pill">${esc(r.role)}</span>
    ${esc(r.session_id)} · ${r.timestamp ? new Date(r.timestamp * 1000).toLocaleString() : ''}</div>
    <div>${snippet(r.snippet)}</div>`;
  div.addEventListener('click', () => setParams({ q: p.get('q'), open: r.session_id, hit: String(r.id) }));
  return div;
}

async function load() {
  const p = readHash().params;
  const out = root.querySelector('.results');
  if (!p.get('q')) { out.replaceChildren(); return; }
  const q = new URLSearchParams({ q: p.get('q'), limit: 50 });
  for (const k of ['sources', 'roles', 'user_id']) if (p.get(k)) q.set(k, p.get(k));
  const data = await api(`/v1/search?${q}`);
  if (!root) return;
  out.replaceChildren(...data.results.map((r) => result(r, p)));
  if (!data.results.length) out.textContent = 'no hits';
}

export function mount(el, params) {
  root = el;
  const h = document.createElement('h2');
  h.textContent = 'Search';
  const bar = document.createElement('div');
  bar.className = 'filters';
  bar.innerHTML = `<input type="search" name="q" placeholder="search every conversation" data-testid="search-input" value="${esc(params.get('q') || '')}">
    <input name="sources" placeholder="sources (a,b)" value="${esc(params.get('sources') || '')}">
    <input name="roles" placeholder="roles (user,assistant)" value="${esc(params.get('roles') || '')}">
    <input name="user_id" placeholder="user id" value="${esc(params.get('user_id') || '')}">`;
  for (const input of bar.querySelectorAll('input')) {
    input.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(() => setParams({ [input.name]: input.value, open: '', hit: '' }), 250);
    });
  }
  const results = document.createElement('div');
  results.className = 'results';
  el.append(h, bar, results);
  load().catch((e) => { results.textContent = e.message; });
}

export function update() { load().catch((e) => { root.querySelector('.results').textContent = e.message; }); }
export function unmount() { root = null; }
