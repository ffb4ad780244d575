// Inline SVG charts: a line chart of up to a few series and a stacked bar
// chart. Each call redraws its <svg> from plain arrays (no library).

const NS = 'http://www.w3.org/2000/svg';
const W = 600, H = 140, PAD = 24;

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function makeSvg(cls, label) {
  const svg = el('svg', { class: cls, viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
  return svg;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/// series: arrays of numbers (oldest first), all drawn over `points` slots.
export function lineChart(svg, series, points) {
  svg.replaceChildren();
  const max = niceMax(Math.max(0, ...series.flat().filter(Number.isFinite)));
  const x = (i) => PAD + (i * (W - PAD - 4)) / Math.max(1, points - 1);
  const y = (v) => H - PAD + 4 - ((H - PAD) * v) / max;
  svg.append(el('line', { class: 'axis', x1: PAD, y1: H - PAD + 4, x2: W, y2: H - PAD + 4 }));
  svg.append(el('text', { x: 2, y: 12 }, String(max)));
  svg.append(el('text', { x: 2, y: H - PAD + 4 }, '0'));
  series.forEach((s, k) => {
    const offset = points - s.length;
    const d = s.map((v, i) => `${i ? 'L' : 'M'}${x(i + offset).toFixed(1)},${y(v || 0).toFixed(1)}`).join('');
    if (d) svg.append(el('path', { class: `s${k}`, d, 'data-testid': 'chart-path' }));
  });
}

/// rows: [{label, idle, daily}] as stacked bars.
export function barChart(svg, rows) {
  svg.replaceChildren();
  const max = niceMax(Math.max(0, ...rows.map((r) => r.idle + r.daily)));
  const bw = (W - PAD) / Math.max(1, rows.length);
  const h = (v) => ((H - PAD) * v) / max;
  svg.append(el('text', { x: 2, y: 12 }, String(max)));
  rows.forEach((r, i) => {
    const x = PAD + i * bw;
    const base = H - PAD + 4;
    svg.append(el('rect', { class: 'idle', x, y: base - h(r.idle), width: bw * 0.8, height: h(r.idle) }));
    svg.append(el('rect', { class: 'daily', x, y: base - h(r.idle) - h(r.daily), width: bw * 0.8, height: h(r.daily) }));
    if (i % 3 === 0) svg.append(el('text', { x, y: H - 4 }, r.label));
  });
}
