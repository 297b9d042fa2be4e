// An endpoint's traffic over time (GET /v1/endpoints/{id}/series): attempts per bucket split into
// succeeded and failed, the error rate, and the p95 latency, over a chosen window.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtMs, fmtPct } from '../format.js';
import { lineChart, stackedBars } from './chart.js';
import { errorBox } from './toast.js';

const WINDOWS = [
  [1, 'Last hour'],
  [24, 'Last 24 hours'],
  [168, 'Last 7 days'],
];
const ATTEMPT_SERIES = [
  { key: 'ok', label: 'Succeeded', cls: 'fill-ok' },
  { key: 'failed', label: 'Failed', cls: 'fill-bad' },
];

export function endpointTraffic(endpointId) {
  const windowSelect = h('select', { 'aria-label': 'Traffic window', name: 'traffic-window' }, WINDOWS.map(([v, l]) => h('option', { value: String(v), selected: v === 24 }, l)));
  const body = h('div', { class: 'traffic', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading…'));
  const load = async () => {
    try {
      const series = await api(`/v1/endpoints/${endpointId}/series`, { query: { hours: windowSelect.value } });
      const buckets = series.buckets.map((b) => ({ ...b, ok: b.attempts - b.failed }));
      const chart = (title, el) => h('div', { class: 'traffic-chart', dataset: { chart: title } }, h('h3', null, title), el);
      replace(
        body,
        h(
          'div',
          { class: 'chart-row' },
          chart('Volume', stackedBars(buckets, { series: ATTEMPT_SERIES, bucketSeconds: series.bucketSeconds, title: 'Attempts over time', unit: 'attempts', height: 160 })),
          chart('Error rate', lineChart(buckets, { value: (b) => b.errorRate, format: (v) => fmtPct(v), bucketSeconds: series.bucketSeconds, title: 'Error rate', cls: 'stroke-bad', minTop: 0.01 })),
          chart('p95 latency', lineChart(buckets, { value: (b) => b.p95, format: (v) => fmtMs(v), bucketSeconds: series.bucketSeconds, title: 'p95 latency' })),
        ),
      );
    } catch (err) {
      replace(body, errorBox(err, 'Could not load the traffic'));
    }
  };
  windowSelect.addEventListener('change', () => void load());
  const el = h('section', { class: 'card' }, h('div', { class: 'type-head' }, h('h2', null, 'Traffic'), windowSelect), body);
  return { el, load };
}
