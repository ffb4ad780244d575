// The session drawer (hash parameter open=SESSION_ID, hit=MESSAGE_ID): the
// transcript by role, tool calls collapsed, the parent link, export and the
// actions (reset, rename, expiry sweep) behind a confirmation. It follows
// message_appended events for its session, so new messages appear live.

import { api, download, esc, onEvent, setParams, fmtTime } from './api.js';

const el = () => document.getElementById('drawer');
let openId = null;
let hitId = null;
let reloadTimer = null;

onEvent((type, data) => {
  if (!openId) return;
  const mine = data && (data.session_id === openId);
  if ((type === 'message_appended' && mine) || type === 'reconnecting') {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => load(openId), 200);
  }
});

function toolCalls(m) {
  if (!m.tool_calls) return '';
  let text = m.tool_calls;
  try { text = JSON.stringify(typeof text === 'string' ? JSON.parse(text) : text, null, 2); } catch (e) { /* raw */ }
  return `<details class="tool-calls"><summary>tool calls</summary><pre>${esc(text)}</pre></details>`;
}

function message(m) {
  const div = document.createElement('div');
  div.className = `msg ${m.role}${String(m.id) === hitId ? ' hit' : ''}`;
  div.dataset.testid = 'transcript-message';
  div.dataset.messageId = m.id;
  const name = m.tool_name ? ` · ${esc(m.tool_name)}` : '';
  div.innerHTML = `<div class="role">${esc(m.role)}${name} · ${m.timestamp ? new Date(m.timestamp * 1000).toLocaleTimeString() : ''}</div>${esc(m.content)}${toolCalls(m)}`;
  return div;
}

async function act(label, fn) {
  if (!window.confirm(label)) return;
  try { await fn(); } catch (e) { window.alert(e.message); }
  load(openId);
}

function actions(s) {
  const bar = document.createElement('div');
  bar.className = 'bar';
  const key = s.session_key;
  const btn = (text, fn, cls = '') => {
    const b = document.createElement('button');
    b.textContent = text; b.className = cls;
    b.addEventListener('click', fn);
    bar.append(b);
  };
  btn('✕ close', () => setParams({ open: '', hit: '' }));
  btn('export JSON', () => download(`/v1/session-ids/${encodeURIComponent(s.id)}/export?format=json`, `${s.id}.json`));
  btn('export Markdown', () => download(`/v1/session-ids/${encodeURIComponent(s.id)}/export?format=markdown`, `${s.id}.md`));
  btn('rename', () => {
    const title = window.prompt('New title', s.title || '');
    if (title !== null) act(`Rename to "${title}"?`, () => api(`/v1/session-ids/${encodeURIComponent(s.id)}/title`, { method: 'PUT', body: { title } }));
  });
  if (key) btn('reset', () => act(`Start a new session for ${key}?`, () => api(`/v1/sessions/${encodeURIComponent(key)}/reset`, { method: 'POST', body: {} })), 'danger');
  btn('run expiry sweep', () => act('Expire every session that is due now?', () => api('/v1/admin/expire', { method: 'POST', body: {} })), 'danger');
  return bar;
}

async function load(id) {
  const s = await api(`/v1/session-ids/${encodeURIComponent(id)}/export?format=json`);
  if (openId !== id) return;
  const d = el();
  const head = document.createElement('div');
  const parent = s.parent_session_id
    ? `<a href="#" data-parent="${esc(s.parent_session_id)}">parent ${esc(s.parent_session_id)}</a>` : '';
  head.innerHTML = `<h2>${esc(s.title || s.id)}</h2>
    <div class="muted">${esc(s.session_key || '')} · ${esc(s.source)} · started ${fmtTime(s.started_at ? new Date(s.started_at * 1000).toISOString() : null)}
    ${s.ended_at ? ` · ended (${esc(s.end_reason)})` : ''} · ${s.message_count} messages ${parent}</div>`;
  const p = head.querySelector('[data-parent]');
  if (p) p.addEventListener('click', (ev) => { ev.preventDefault(); setParams({ open: p.dataset.parent, hit: '' }); });
  const list = document.createElement('div');
  list.dataset.testid = 'transcript';
  list.append(...(s.messages || []).map(message));
  d.replaceChildren(actions(s), head, list);
  const hit = hitId && list.querySelector(`[data-message-id="${CSS.escape(hitId)}"]`);
  if (hit) hit.scrollIntoView({ block: 'center' });
}

/// Shows, updates or hides the drawer for the hash parameters.
export function sync(params) {
  const id = params.get('open');
  const d = el();
  if (!id) { openId = null; d.hidden = true; d.replaceChildren(); return; }
  const changed = id !== openId || params.get('hit') !== hitId;
  openId = id;
  hitId = params.get('hit');
  d.hidden = false;
  if (changed) load(id).catch((e) => { d.textContent = e.message; });
}
