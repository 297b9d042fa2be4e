// Charts in inline SVG (no library): stacked bars (deliveries or attempts per time bucket) and lines
// (error rate, latency). The SVG only draws shapes and stretches to its box; every piece of text
// (axis ticks, times) is HTML laid over it, so it stays at the page's font size on a phone and on a
// 4K screen instead of scaling with the drawing. The numbers are also given as a table for screen
// readers, and each bucket has a <title> for hover.

import { h, s } from '../dom.js';
import { fmtTime } from '../format.js';

export const OUTCOME_SERIES = [
  { key: 'succeeded', label: 'Succeeded', cls: 'fill-ok' },
  { key: 'failed', label: 'Failed', cls: 'fill-bad' },
  { key: 'pending', label: 'Pending', cls: 'fill-pending' },
  { key: 'cancelled', label: 'Cancelled', cls: 'fill-muted' },
];

// Mantissas of a "nice" axis top: 234 -> 250, 0.42 -> 0.5, 7 -> 8, 1100 -> 1200.
const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
// For each mantissa, a step that divides it into 3 to 6 intervals.
const STEP_OF = { 1: 0.2, 1.2: 0.3, 1.5: 0.5, 2: 0.5, 2.5: 0.5, 3: 0.5, 4: 1, 5: 1, 6: 1, 8: 2, 10: 2 };

/**
 * The axis for values up to `max`: the smallest nice top at or above it, and ticks from 0 in even
 * steps. `integer` (counts) never gives fractional ticks: small tops step by 1.
 */
export function niceScale(max, { integer = false } = {}) {
  if (!(max > 0)) return { top: integer ? 1 : 1, ticks: [0, 1] };
  if (integer && max <= 5) {
    const top = Math.ceil(max);
    return { top, ticks: Array.from({ length: top + 1 }, (_, i) => i) };
  }
  const p = 10 ** Math.floor(Math.log10(max));
  let m = NICE.find((n) => n * p >= max * (1 - 1e-9)) ?? 10;
  let step = STEP_OF[m] * p;
  if (integer && !Number.isInteger(step)) {
    // e.g. top 12 with step 3 is fine, top 6 with step 1 too; a step of 0.5 or 2.5 on counts is not.
    m = NICE.find((n) => n * p >= max && Number.isInteger(STEP_OF[n] * p)) ?? 10;
    step = STEP_OF[m] * p;
  }
  const top = m * p;
  const ticks = [];
  for (let i = 0; i * step <= top * (1 + 1e-9); i += 1) ticks.push(round(i * step));
  return { top: round(top), ticks };
}

const round = (v) => Math.round(v * 1e6) / 1e6;

function tickLabel(iso, bucketSeconds) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return bucketSeconds >= 21600 ? `${two(d.getMonth() + 1)}-${two(d.getDate())}` : `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The frame shared by every chart: y ticks on the left, the drawing, x ticks below, all in HTML. */
function frame({ svg, ticks, top, format, buckets, bucketSeconds, height }) {
  const yAxis = h(
    'div',
    { class: 'chart-y', 'aria-hidden': 'true' },
    ticks.map((t) => h('span', { class: 'chart-tick', dataset: { value: String(t) }, style: { bottom: `${(t / top) * 100}%` } }, format(t))),
    // The ticks are positioned out of flow; this invisible copy of the longest gives the column its width.
    h('span', { class: 'chart-sizer' }, ticks.map(format).reduce((a, b) => (b.length > a.length ? b : a), '')),
  );
  const grid = h(
    'div',
    { class: 'chart-grid', 'aria-hidden': 'true' },
    ticks.map((t) => h('span', { class: 'chart-gridline', style: { bottom: `${(t / top) * 100}%` } })),
  );
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  const xAxis = h(
    'div',
    { class: 'chart-x', 'aria-hidden': 'true' },
    buckets.map((b, i) => (i % every === 0 ? h('span', { class: 'chart-tick', style: { left: `${((i + 0.5) / buckets.length) * 100}%` } }, tickLabel(b.start, bucketSeconds)) : null)),
  );
  return h('div', { class: 'chart-frame' }, yAxis, h('div', { class: 'chart-plot', style: { height: `${height}px` } }, grid, svg), h('span'), xAxis);
}

const svgFor = (n, label, children) =>
  // viewBox units: one bucket is 10 wide, the plot is 100 tall; stretched to the box (shapes only).
  s('svg', { viewBox: `0 0 ${Math.max(1, n) * 10} 100`, preserveAspectRatio: 'none', class: 'chart', role: 'img', 'aria-label': label }, children);

export function stackedBars(buckets, { series = OUTCOME_SERIES, bucketSeconds = 3600, title = 'Deliveries over time', unit = 'deliveries', height = 200 } = {}) {
  const totals = buckets.map((b) => series.reduce((n, sr) => n + (b[sr.key] ?? 0), 0));
  const { top, ticks } = niceScale(Math.max(0, ...totals), { integer: true });
  const y = (v) => 100 - (v / top) * 100;
  const bars = buckets.map((b, i) => {
    let acc = 0;
    const rects = series.map((sr) => {
      const v = b[sr.key] ?? 0;
      if (!v) return null;
      const r = s('rect', { x: i * 10 + 1, y: y(acc + v), width: 8, height: y(acc) - y(acc + v), class: sr.cls });
      acc += v;
      return r;
    });
    const tip = `${fmtTime(b.start)}: ${series.map((sr) => `${b[sr.key] ?? 0} ${sr.label.toLowerCase()}`).join(', ')}`;
    return s('g', { class: 'bar' }, s('title', null, tip), s('rect', { x: i * 10, y: 0, width: 10, height: 100, class: 'bar-hit' }), rects);
  });
  const svg = svgFor(buckets.length, `${title}: ${totals.reduce((a, b) => a + b, 0)} ${unit} in ${buckets.length} intervals`, bars);
  const legend = h(
    'ul',
    { class: 'legend' },
    series.map((sr) => h('li', null, h('span', { class: ['swatch', sr.cls], 'aria-hidden': 'true' }), sr.label)),
  );
  return h('figure', { class: 'chart-figure' }, frame({ svg, ticks, top, format: String, buckets, bucketSeconds, height }), legend, srTable(title, buckets, series.map((sr) => [sr.label, (b) => String(b[sr.key] ?? 0)]), (_, i) => totals[i] > 0));
}

/**
 * One line over time: `value(bucket)` is a number or null (no data: a gap, not a zero). `format`
 * renders tick and tooltip values (a percentage, milliseconds).
 */
export function lineChart(buckets, { value, format = String, bucketSeconds = 3600, title, cls = 'stroke-accent', height = 160, minTop = 0 } = {}) {
  const values = buckets.map(value);
  const present = values.filter((v) => v !== null && v !== undefined);
  const { top, ticks } = niceScale(Math.max(minTop, ...present, 0));
  const y = (v) => 100 - (v / top) * 100;
  // Runs of consecutive buckets with data, each its own path (a gap where nothing was measured).
  const runs = [];
  let run = [];
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([i * 10 + 5, y(v)]);
  });
  if (run.length) runs.push(run);
  const paths = runs.map((pts) => s('path', { d: pts.map(([x, yy], i) => `${i ? 'L' : 'M'}${x} ${yy}`).join(' '), class: ['line', cls], 'vector-effect': 'non-scaling-stroke' }));
  // A point per measured bucket (a one-bucket run would otherwise be invisible), with its tooltip.
  const points = values.map((v, i) => (v === null || v === undefined ? null : s('g', { class: 'bar' }, s('title', null, `${fmtTime(buckets[i].start)}: ${format(v)}`), s('rect', { x: i * 10, y: 0, width: 10, height: 100, class: 'bar-hit' }), s('line', { x1: i * 10 + 5, x2: i * 10 + 5, y1: y(v), y2: y(v), class: ['dot', cls], 'vector-effect': 'non-scaling-stroke' }))));
  const svg = svgFor(buckets.length, `${title}: ${present.length ? `highest ${format(Math.max(...present))}` : 'no data'} over ${buckets.length} intervals`, [paths, points]);
  return h('figure', { class: 'chart-figure' }, frame({ svg, ticks, top, format, buckets, bucketSeconds, height }), srTable(title, buckets, [[title, (_, i) => (values[i] === null || values[i] === undefined ? '—' : format(values[i]))]], (_, i) => values[i] !== null && values[i] !== undefined));
}

function srTable(title, buckets, columns, keep) {
  return h(
    'table',
    { class: 'visually-hidden' },
    h('caption', null, title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Interval start'), columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', null, buckets.map((b, i) => (keep(b, i) ? h('tr', null, h('th', { scope: 'row' }, fmtTime(b.start)), columns.map(([, cell]) => h('td', null, cell(b, i)))) : null))),
  );
}
