// Overview: deliveries over time by outcome, success rate, latency p50/p95, queue depth, the current
// issues (failures grouped by endpoint and attempt code, each linked to that endpoint's doctor) and
// the endpoints ranked by failures, refreshed as attempts stream in.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { endpointState, fmtCount, fmtMs, fmtPct, httpBadge, relTime } from '../format.js';
import { codeTag, loadCodes } from '../components/codes.js';
import { stackedBars } from '../components/chart.js';
import { debounce, pageHeader, section } from '../components/page.js';
import { errorBox } from '../components/toast.js';
import { endpointName } from '../components/endpoint-label.js';

/** Current failures by endpoint and code; the doctor is on the endpoint's Testing tab. */
function issuesSection(issues) {
  if (!issues || issues.length === 0) return section('Issues', h('p', { class: 'muted', 'data-issues': 'none' }, 'No current failures.'));
  return section(
    'Issues',
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table', 'data-issues': '' },
        h('thead', null, h('tr', null, ['Endpoint', 'Code', 'Last status', 'Retrying', 'Given up', 'Latest', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          null,
          issues.map((i) =>
            h(
              'tr',
              null,
              h('td', { class: 'col-endpoint' }, h('a', { href: `#/endpoints/${i.endpointId}`, class: 'trunc', title: i.url ?? i.endpointId }, i.url ? endpointName({ id: i.endpointId, url: i.url, description: i.description }) : i.endpointId)),
              h('td', null, codeTag(i.code)),
              h('td', null, httpBadge(i.lastStatus)),
              h('td', { class: 'num' }, fmtCount(i.retrying)),
              h('td', { class: i.exhausted ? 'num text-bad' : 'num' }, fmtCount(i.exhausted)),
              h('td', null, relTime(i.latestAt)),
              h('td', null, h('a', { href: `#/endpoints/${i.endpointId}?tab=testing`, 'data-doctor-link': '' }, 'Run the doctor')),
            ),
          ),
        ),
      ),
    ),
  );
}

function stat(label, value, note) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note' }, note) : null);
}

export async function render(root, _params, app) {
  const windowSelect = h(
    'select',
    { id: 'overview-window', 'aria-label': 'Time window' },
    [
      ['1', 'Last hour'],
      ['24', 'Last 24 hours'],
      ['168', 'Last 7 days'],
      ['720', 'Last 30 days'],
    ].map(([v, l]) => h('option', { value: v, selected: v === '24' }, l)),
  );
  const liveNote = h('span', { class: 'muted', 'aria-live': 'polite' });
  const body = h('div', { class: 'overview stack' });
  root.append(pageHeader('Overview', 'Delivery health across your endpoints', h('label', { class: 'inline-label', for: 'overview-window' }, 'Window'), windowSelect), liveNote, body);

  let lastAttempts = 0;
  async function refresh() {
    try {
      const [o] = await Promise.all([api('/v1/meta/overview', { query: { hours: windowSelect.value } }), loadCodes()]);
      const failing = o.endpoints.filter((e) => e.failed > 0 || !e.enabled);
      replace(
        body,
        h(
          'div',
          { class: 'stats' },
          stat('Success rate', fmtPct(o.successRate), `${fmtCount(o.totals.succeeded)} succeeded · ${fmtCount(o.totals.failed)} failed`),
          stat('Deliveries', fmtCount(o.totals.deliveries), o.truncated ? 'truncated: newest only' : `${fmtCount(o.totals.pending)} pending · ${fmtCount(o.totals.cancelled)} cancelled`),
          stat('Latency p50 / p95', `${fmtMs(o.latency.p50)} / ${fmtMs(o.latency.p95)}`, `${fmtCount(o.latency.sampled)} attempts sampled`),
          stat('Queue depth', fmtCount(o.queue.pending), o.queue.due ? `${fmtCount(o.queue.due)} due · oldest ${relTime(o.queue.oldestDueAt)}` : 'nothing overdue'),
        ),
        issuesSection(o.issues),
        section('Deliveries over time', stackedBars(o.buckets, { bucketSeconds: o.bucketSeconds })),
        section(
          'Endpoints by failures',
          o.endpoints.length === 0
            ? h('p', { class: 'muted' }, 'No endpoints yet. ', h('a', { href: '#/endpoints/new' }, 'Create one'), '.')
            : h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  { class: 'table' },
                  h('thead', null, h('tr', null, ['Endpoint', 'State', 'Failed', 'Succeeded', 'Success rate', 'p95'].map((t) => h('th', { scope: 'col' }, t)))),
                  h(
                    'tbody',
                    null,
                    o.endpoints.slice(0, 10).map((e) =>
                      h(
                        'tr',
                        null,
                        h('td', { class: 'col-endpoint' }, h('a', { href: `#/endpoints/${e.id}`, class: 'trunc', title: e.url }, endpointName(e))),
                        h('td', null, endpointState(e)),
                        h('td', { class: e.failed ? 'num text-bad' : 'num' }, fmtCount(e.failed)),
                        h('td', { class: 'num' }, fmtCount(e.succeeded)),
                        h('td', { class: 'num' }, fmtPct(e.successRate)),
                        h('td', { class: 'num' }, fmtMs(e.p95)),
                      ),
                    ),
                  ),
                ),
              ),
          failing.length === 0 && o.endpoints.length ? h('p', { class: 'muted' }, 'No failures in this window.') : null,
        ),
      );
    } catch (err) {
      replace(body, errorBox(err));
    }
  }

  const later = debounce(() => void refresh(), 1500);
  windowSelect.addEventListener('change', () => void refresh());
  const offs = [
    app.stream.on('attempt.recorded', () => {
      lastAttempts += 1;
      liveNote.textContent = `Live: ${lastAttempts} new attempt${lastAttempts === 1 ? '' : 's'} since you opened this page.`;
      later();
    }),
    app.stream.on('endpoint.state', later),
  ];
  await refresh();
  return () => {
    later.cancel();
    for (const off of offs) off();
  };
}
