// Stacked bar chart in inline SVG (no library): deliveries per time bucket by outcome. The numbers are
// also given as a table for screen readers, and each bar has a <title> for hover.

import { h, s } from '../dom.js';
import { fmtTime } from '../format.js';

export const OUTCOME_SERIES = [
  { key: 'succeeded', label: 'Succeeded', cls: 'fill-ok' },
  { key: 'failed', label: 'Failed', cls: 'fill-bad' },
  { key: 'pending', label: 'Pending', cls: 'fill-pending' },
  { key: 'cancelled', label: 'Cancelled', cls: 'fill-muted' },
];

function tickLabel(iso, bucketSeconds) {
  const d = new Date(iso);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return bucketSeconds >= 21600 ? `${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : hm;
}

export function stackedBars(buckets, { series = OUTCOME_SERIES, bucketSeconds = 3600, title = 'Deliveries over time' } = {}) {
  const W = 720;
  const H = 220;
  const pad = { l: 40, r: 8, t: 10, b: 26 };
  const totals = buckets.map((b) => series.reduce((n, sr) => n + (b[sr.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const niceMax = (() => {
    const p = 10 ** Math.floor(Math.log10(max));
    return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? max;
  })();
  const plotW = W - pad.l - pad.r;
  const plotH = H - pad.t - pad.b;
  const bw = plotW / Math.max(1, buckets.length);
  const y = (v) => pad.t + plotH - (v / niceMax) * plotH;
  const grid = [0, 0.5, 1].map((f) => {
    const v = Math.round(niceMax * f);
    return s('g', null, s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid-line' }), s('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' }, String(v)));
  });
  const labelEvery = Math.ceil(buckets.length / 8);
  const bars = buckets.map((b, i) => {
    let acc = 0;
    const x = pad.l + i * bw + 1;
    const rects = series.map((sr) => {
      const v = b[sr.key] ?? 0;
      if (!v) return null;
      const r = s('rect', { x, y: y(acc + v), width: Math.max(1, bw - 2), height: Math.max(0.5, y(acc) - y(acc + v)), class: sr.cls });
      acc += v;
      return r;
    });
    const tip = `${fmtTime(b.start)}: ${series.map((sr) => `${b[sr.key] ?? 0} ${sr.label.toLowerCase()}`).join(', ')}`;
    return s(
      'g',
      { class: 'bar' },
      s('title', null, tip),
      s('rect', { x: pad.l + i * bw, y: pad.t, width: bw, height: plotH, class: 'bar-hit' }),
      rects,
      i % labelEvery === 0 ? s('text', { x: x + bw / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, tickLabel(b.start, bucketSeconds)) : null,
    );
  });
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${title}: ${totals.reduce((a, b) => a + b, 0)} deliveries in ${buckets.length} intervals` }, grid, bars);
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((sr) => h('li', null, h('span', { class: ['swatch', sr.cls], 'aria-hidden': 'true' }), sr.label)),
  );
  const table = h(
    'table',
    { class: 'visually-hidden' },
    h('caption', null, title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Interval start'), series.map((sr) => h('th', { scope: 'col' }, sr.label)))),
    h('tbody', null, buckets.filter((_, i) => totals[i] > 0).map((b) => h('tr', null, h('th', { scope: 'row' }, fmtTime(b.start)), series.map((sr) => h('td', null, String(b[sr.key] ?? 0)))))),
  );
  return h('figure', { class: 'chart-figure' }, svg, legend, table);
}
