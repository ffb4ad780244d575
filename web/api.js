// The dashboard's one module for /v1 calls and the event stream.
// With a token configured, the first 401 asks for it once; it is kept in
// sessionStorage and sent as a bearer token on every call. The stream is
// read with fetch() (EventSource cannot send a header) and resumes after a
// drop with Last-Event-ID, so no event is lost or repeated.

const TOKEN_KEY = 'switchboard.token';
let tokenWaiters = null;

export function token() { return sessionStorage.getItem(TOKEN_KEY); }

function headers(extra = {}) {
  const h = { ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/// Asks for the token once, however many calls are waiting for it.
function askToken() {
  if (tokenWaiters) return tokenWaiters;
  tokenWaiters = new Promise((resolve) => {
    const dialog = document.getElementById('token-dialog');
    const input = document.getElementById('token-input');
    document.getElementById('token-form').addEventListener('submit', () => {
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      tokenWaiters = null;
      resolve();
    }, { once: true });
    dialog.showModal();
  });
  return tokenWaiters;
}

/// Asks for the token now unless one is stored (the page calls it when
/// /ui/auth.json says the server wants one, so no call goes out without).
export async function ensureToken() {
  if (!token()) await askToken();
}

/// A /v1 call: JSON in and out. Throws Error(message) on an API error.
export async function api(path, { method = 'GET', body } = {}) {
  for (;;) {
    const res = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401) { await askToken(); continue; }
    const text = await res.text();
    const data = text ? JSON.parse(text) : {};
    if (!res.ok) throw new Error(data.error ? data.error.message : res.statusText);
    return data;
  }
}

/// A download of a /v1 resource as a file (the token goes in a header, so
/// a plain link would not do).
export async function download(path, name) {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) { await askToken(); return download(path, name); }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url; a.download = name;
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/// Every event type the dashboard listens to (opt-in ones included).
export const EVENT_TYPES = ['session_created', 'session_reset', 'session_expired',
  'memory_flush', 'session_switched', 'message_appended', 'stats', 'loadtest'];

const listeners = new Set();
const statusListeners = new Set();
let lastId = null;

/// fn(type, data, id) for every event; returns an unsubscribe function.
export function onEvent(fn) { listeners.add(fn); return () => listeners.delete(fn); }
/// fn({connected, reconnects}) when the stream's state changes.
export function onStreamStatus(fn) { statusListeners.add(fn); return () => statusListeners.delete(fn); }

function emit(type, data, id) {
  for (const fn of [...listeners]) {
    try { fn(type, data, id); } catch (e) { console.warn('listener failed', e); }
  }
}

let reconnects = 0;
function status(connected) {
  for (const fn of statusListeners) fn({ connected, reconnects });
}

/// Parses SSE blocks out of `buf`; returns what is left (an incomplete block).
function parseBlocks(buf) {
  let end;
  while ((end = buf.indexOf('\n\n')) >= 0) {
    const block = buf.slice(0, end);
    buf = buf.slice(end + 2);
    let id = null, type = 'message', data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (id !== null) lastId = id;
    if (data) emit(type, JSON.parse(data), id);
  }
  return buf;
}

// Why: a stream left open when the page goes away keeps its connection busy
// for a while, and a browser allows only six per server: after a few
// reloads every call would wait. Abort it on the way out.
const streamAbort = new AbortController();
window.addEventListener('pagehide', () => streamAbort.abort());

async function readStream() {
  const q = `types=${EVENT_TYPES.join(',')}` + (lastId !== null ? `&last_event_id=${lastId}` : '');
  const res = await fetch(`/v1/events?${q}`, {
    headers: headers({ Accept: 'text/event-stream' }), signal: streamAbort.signal,
  });
  if (res.status === 401) { await askToken(); return; }
  if (!res.ok) throw new Error(`events: ${res.status}`);
  status(true);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf = parseBlocks(buf + decoder.decode(value, { stream: true }));
  }
}

/// Keeps one event stream open for the page's lifetime.
export async function startStream() {
  for (let delay = 500; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await readStream();
      delay = 250;
    } catch (e) {
      // network drop or server gone: show it and retry
    }
    if (streamAbort.signal.aborted) return;
    status(false);
    reconnects += 1;
    emit('reconnecting', { last_event_id: lastId }, null);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/// HTML-escapes text for innerHTML.
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/// The hash's view and parameters: "#/sessions?platform=x" -> {view, params}.
export function readHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [view, query = ''] = h.split('?');
  return { view: view || 'overview', params: new URLSearchParams(query) };
}

/// Replaces the hash's parameters (keeps the view), dropping empty ones.
export function setParams(changes, view = readHash().view) {
  const p = readHash().params;
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') p.delete(k); else p.set(k, v);
  }
  const q = p.toString();
  location.hash = `#/${view}${q ? `?${q}` : ''}`;
}

export function fmtBytes(n) {
  if (n == null) return '–';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}

export function fmtDuration(s) {
  s = Math.floor(s || 0);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

export function fmtTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}
