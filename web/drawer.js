// The session drawer (hash parameters open=SESSION_ID, hit=MESSAGE_ID,
// rewritten=1): the transcript by role, tool calls collapsed, rows that
// transcript rewrites replaced behind a toggle (include_inactive=true),
// links to the parent and child sessions (GET /v1/history?
// parent_session_id=), export and the actions (reset, rename, expire now)
// behind a confirmation. It follows message_appended events for its session,
// so new messages appear live.

import { api, download, esc, onEvent, setParams, fmtTime } from './api.js';

const el = () => document.getElementById('drawer');
let openId = null;
let hitId = null;
let showRewritten = false;
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
  const rewritten = m.active === 0;
  div.className = `msg ${m.role}${String(m.id) === hitId ? ' hit' : ''}${rewritten ? ' inactive' : ''}`;
  div.dataset.testid = 'transcript-message';
  div.dataset.messageId = m.id;
  div.dataset.active = String(!rewritten);
  const name = m.tool_name ? ` · ${esc(m.tool_name)}` : '';
  const mark = rewritten ? ' <span class="pill rewritten">rewritten</span>' : '';
  div.innerHTML = `<div class="role">${esc(m.role)}${name} · ${m.timestamp ? new Date(m.timestamp * 1000).toLocaleTimeString() : ''}${mark}</div>${esc(m.content)}${toolCalls(m)}`;
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
  const btn = (text, fn, cls = '', testid = '') => {
    const b = document.createElement('button');
    b.textContent = text; b.className = cls;
    if (testid) b.dataset.testid = testid;
    b.addEventListener('click', fn);
    bar.append(b);
  };
  btn('✕ close', () => setParams({ open: '', hit: '', rewritten: '' }));
  btn('export JSON', () => download(`/v1/session-ids/${encodeURIComponent(s.id)}/export?format=json`, `${s.id}.json`));
  btn('export Markdown', () => download(`/v1/session-ids/${encodeURIComponent(s.id)}/export?format=markdown`, `${s.id}.md`));
  btn('rename', () => {
    const title = window.prompt('New title', s.title || '');
    if (title !== null) act(`Rename to "${title}"?`, () => api(`/v1/session-ids/${encodeURIComponent(s.id)}/title`, { method: 'PUT', body: { title } }));
  });
  if (key) btn('reset', () => act(`Start a new session for ${key}?`, () => api(`/v1/sessions/${encodeURIComponent(key)}/reset`, { method: 'POST', body: {} })), 'danger');
  // Only the key's live session can expire; session_id makes the server
  // refuse (409) when the key has moved on to another session meanwhile.
  if (key && !s.ended_at) {
    btn('expire now', () => act(`Expire session ${s.id} of ${key} now? Its memory is flushed first when the flush rule says so; the next message starts a new session.`,
      () => api(`/v1/sessions/${encodeURIComponent(key)}/expire`, { method: 'POST', body: { session_id: s.id } })), 'danger', 'session-expire');
  }
  return bar;
}

/// A link that opens session `id` in the drawer.
function sessionLink(id, text, testid) {
  const a = document.createElement('a');
  a.href = '#';
  a.textContent = text;
  a.dataset.testid = testid;
  a.dataset.sessionId = id;
  a.addEventListener('click', (ev) => { ev.preventDefault(); setParams({ open: id, hit: '' }); });
  return a;
}

/// The parent link and one link per child session (oldest first).
function lineage(s, children) {
  const div = document.createElement('div');
  div.className = 'lineage muted';
  if (s.parent_session_id) div.append('parent: ', sessionLink(s.parent_session_id, s.parent_session_id, 'session-parent'), ' ');
  if (children.length) {
    div.append(`children (${children.length}): `);
    const sorted = [...children].sort((a, b) => a.started_at - b.started_at);
    for (const c of sorted) div.append(sessionLink(c.id, c.display_title || c.title || c.id, 'session-child'), ' ');
  }
  return div;
}

/// The toggle for rewritten rows (its state is the hash's rewritten=1).
function rewrittenToggle() {
  const label = document.createElement('label');
  label.className = 'muted';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = showRewritten;
  box.dataset.testid = 'transcript-show-rewritten';
  box.addEventListener('change', () => setParams({ rewritten: box.checked ? '1' : '' }));
  label.append(box, ' show rewritten rows');
  return label;
}

async function load(id) {
  const q = `format=json${showRewritten ? '&include_inactive=true' : ''}`;
  const s = await api(`/v1/session-ids/${encodeURIComponent(id)}/export?${q}`);
  // By the full id: `open` may be a unique prefix, the filter is exact.
  const kids = await api(`/v1/history?parent_session_id=${encodeURIComponent(s.id)}&limit=100`);
  if (openId !== id) return;
  const d = el();
  const head = document.createElement('div');
  head.innerHTML = `<h2>${esc(s.title || s.id)}</h2>
    <div class="muted" data-testid="session-summary">${esc(s.session_key || '')} · ${esc(s.source)} · started ${fmtTime(s.started_at ? new Date(s.started_at * 1000).toISOString() : null)}
    ${s.ended_at ? ` · ended (${esc(s.end_reason)})` : ''} · ${s.message_count} messages</div>`;
  head.append(lineage(s, kids.sessions || []), rewrittenToggle());
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
  const rewritten = params.get('rewritten') === '1';
  const changed = id !== openId || params.get('hit') !== hitId || rewritten !== showRewritten;
  openId = id;
  hitId = params.get('hit');
  showRewritten = rewritten;
  d.hidden = false;
  if (changed) load(id).catch((e) => { d.textContent = e.message; });
}
