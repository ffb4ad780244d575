// The dashboard shell: health strip, navigation, the hash router and the
// one event stream every view shares.

import { api, ensureToken, onEvent, onStreamStatus, startStream, readHash, fmtBytes, fmtDuration } from './api.js';
import * as overview from './overview.js';
import * as sessions from './sessions.js';
import * as search from './search.js';
import * as events from './events.js';
import * as expiry from './expiry.js';
import * as loadtest from './loadtest.js';
import * as drawer from './drawer.js';

const views = { overview, sessions, search, events, expiry, loadtest };
let current = null;
let currentName = null;

function setText(id, v) { document.getElementById(id).textContent = v; }

function showStats(s) {
  if (!s || !s.rates) return;
  setText('h-uptime', fmtDuration(s.uptime_seconds));
  setText('h-version', s.version);
  setText('h-rate', s.rates['1s'].messages_per_s.toFixed(1));
  setText('h-p99', s.rates['10s'].route_ack_ms.p99.toFixed(2));
  setText('h-queue', s.writer_queue_depth);
  setText('h-actors', s.resident_actors);
  setText('h-db', fmtBytes(s.database.bytes + s.database.wal_bytes));
}

function showStream({ connected, reconnects }) {
  const h = document.getElementById('health');
  h.classList.toggle('down', !connected);
  h.dataset.state = connected ? 'up' : 'disconnected';
  setText('h-state', connected ? 'up' : `disconnected (retry ${reconnects})`);
}

function route() {
  const { view, params } = readHash();
  const name = views[view] ? view : 'overview';
  for (const a of document.querySelectorAll('nav a'))
    a.classList.toggle('active', a.getAttribute('href') === `#/${name}`);
  if (name !== currentName) {
    if (current && current.unmount) current.unmount();
    const root = document.getElementById('view');
    root.replaceChildren();
    current = views[name];
    currentName = name;
    current.mount(root, params);
  } else if (current.update) {
    current.update(params);
  }
  drawer.sync(params);
}

/// The drawer starts below the header (whose height wraps on narrow screens).
function measureHeader() {
  const h = document.querySelector('header').offsetHeight;
  document.documentElement.style.setProperty('--header-h', `${h}px`);
}

async function main() {
  measureHeader();
  window.addEventListener('resize', measureHeader);
  onStreamStatus(showStream);
  onEvent((type, data) => { if (type === 'stats') showStats(data); });
  try {
    const auth = await (await fetch('/ui/auth.json')).json();
    if (auth.token_required) await ensureToken();
  } catch (e) { console.warn('auth probe', e); }
  api('/v1/stats').then(showStats).catch(() => {});
  window.addEventListener('hashchange', route);
  route();
  startStream();
}

main();
