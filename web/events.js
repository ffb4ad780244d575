// Events: the live feed from the page's one stream, filtered by type and
// key, with pause. Bounded (the newest 500 stay); reconnects and lost
// events show as notes.

import { esc, onEvent, readHash, setParams } from './api.js';

const MAX = 500;
const feed = []; // newest last, kept while the page is open
let root = null;
let paused = false;

function keep(item) {
  feed.push(item);
  if (feed.length > MAX) feed.shift();
}

onEvent((type, data, id) => {
  if (type === 'stats') return;
  keep({ type, data, id, at: new Date() });
  if (root && !paused) render();
});

function item(e) {
  const li = document.createElement('li');
  const note = e.type === 'reconnecting' || e.type === 'events_lost';
  li.className = note ? 'note' : '';
  li.dataset.testid = 'event';
  li.dataset.eventType = e.type;
  const text = e.type === 'reconnecting' ? 'stream dropped: reconnecting'
    : e.type === 'events_lost' ? `events lost: after ${e.data.after}, oldest kept ${e.data.oldest}`
      : JSON.stringify(e.data);
  li.innerHTML = `<span class="muted">${e.at.toLocaleTimeString()} ${e.id ?? ''}</span> <b>${esc(e.type)}</b> ${esc(text)}`;
  return li;
}

function render() {
  const p = readHash().params;
  const type = p.get('type');
  const key = p.get('key');
  const shown = feed.filter((e) => (!type || e.type === type) &&
    (!key || (e.data && String(e.data.session_key || '').includes(key))));
  root.querySelector('.feed').replaceChildren(...shown.reverse().map(item));
}

export function mount(el, params) {
  root = el;
  const h = document.createElement('h2');
  h.textContent = 'Events';
  const bar = document.createElement('div');
  bar.className = 'filters';
  const types = ['session_created', 'session_reset', 'session_expired', 'memory_flush',
    'session_switched', 'message_appended', 'loadtest', 'events_lost', 'reconnecting'];
  bar.innerHTML = `<select name="type" data-testid="event-filter-type"><option value="">every type</option>
    ${types.map((t) => `<option ${params.get('type') === t ? 'selected' : ''}>${t}</option>`).join('')}</select>
    <input name="key" placeholder="session key contains" value="${esc(params.get('key') || '')}">
    <button class="pause" data-testid="event-pause">pause</button>`;
  bar.querySelector('select').addEventListener('change', (ev) => setParams({ type: ev.target.value }));
  bar.querySelector('input').addEventListener('input', (ev) => setParams({ key: ev.target.value }));
  bar.querySelector('.pause').addEventListener('click', (ev) => {
    paused = !paused;
    ev.target.textContent = paused ? 'resume' : 'pause';
    if (!paused) render();
  });
  const ul = document.createElement('ul');
  ul.className = 'feed';
  el.append(h, bar, ul);
  render();
}

export function update() { if (!paused) render(); }
export function unmount() { root = null; }
