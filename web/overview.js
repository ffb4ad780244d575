// Overview: routed msgs/s, commit batch size and route-ack p50/p99 over the
// last 10 minutes at 1 s (from the stream's `stats` events, kept while the
// page is open), plus token and cost totals.

import { api, onEvent } from './api.js';
import { lineChart, makeSvg } from './charts.js';

const POINTS = 600;
const history = { rate: [], batch: [], p50: [], p99: [] };
let redraw = null;
let statsSeen = 0;

function push(arr, v) { arr.push(v); if (arr.length > POINTS) arr.shift(); }

onEvent((type, s) => {
  if (type !== 'stats' || !s.rates) return;
  const w = s.rates['1s'];
  push(history.rate, w.messages_per_s);
  push(history.batch, w.batch_size);
  push(history.p50, w.route_ack_ms.p50);
  push(history.p99, w.route_ack_ms.p99);
  statsSeen += 1;
  if (redraw) redraw(statsSeen % 60 === 0);
});

function card(title, child) {
  const c = document.createElement('section');
  c.className = 'card';
  const h = document.createElement('h3');
  h.textContent = title;
  c.append(h, child);
  return c;
}

export function mount(root) {
  const h = document.createElement('h2');
  h.textContent = 'Overview';
  const grid = document.createElement('div');
  grid.className = 'cards';
  const rate = makeSvg('chart', 'messages per second');
  const batch = makeSvg('chart', 'commit batch size');
  const lat = makeSvg('chart', 'route-ack latency p50 and p99');
  const tokens = document.createElement('div');
  tokens.className = 'big';
  tokens.dataset.testid = 'totals';
  grid.append(card('Routed msgs/s', rate), card('Commit batch size', batch),
    card('Route-ack p50 / p99 (ms)', lat), card('Tokens and cost', tokens));
  root.append(h, grid);
  const loadTotals = () => api('/v1/sessions?limit=0').then((r) => {
    tokens.textContent = `${r.totals.total_tokens.toLocaleString()} tokens · $${r.totals.estimated_cost_usd.toFixed(2)} · ${r.total} sessions`;
  }).catch((e) => { tokens.textContent = e.message; });
  redraw = (refreshTotals) => {
    lineChart(rate, [history.rate], POINTS);
    lineChart(batch, [history.batch], POINTS);
    lineChart(lat, [history.p50, history.p99], POINTS);
    if (refreshTotals) loadTotals();
  };
  redraw(true);
}

export function unmount() { redraw = null; }
