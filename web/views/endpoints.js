// Endpoints: the list with state, subscribed types and 24 h success rate (live state changes).

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { endpointState, fmtPct } from '../format.js';
import { createPager, empty, pageHeader } from '../components/page.js';
import { errorBox } from '../components/toast.js';
import { endpointName } from '../components/endpoint-label.js';

export async function render(root, _params, app) {
  const body = h('div', { class: 'table-wrap' });
  root.append(pageHeader('Endpoints', 'Where hookd delivers webhooks', h('a', { 'data-mutates': 'manage_endpoints', class: 'btn btn-primary', href: '#/endpoints/new' }, 'New endpoint')));
  const rows = new Map();

  const pager = createPager(async (cursor) => {
    try {
      const page = await api('/v1/endpoints', { query: { cursor, limit: 50 } });
      rows.clear();
      if (page.data.length === 0 && !cursor) {
        replace(body, empty('No endpoints yet.', h('a', { 'data-mutates': 'manage_endpoints', class: 'btn btn-primary', href: '#/endpoints/new' }, 'Create your first endpoint')));
        return page;
      }
      replace(
        body,
        h(
          'table',
          { class: 'table table-endpoints' },
          h('thead', null, h('tr', null, ['Endpoint', 'State', 'Event types', app.isAdmin ? 'Tenant' : null, 'Success (24 h)'].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            null,
            page.data.map((e) => {
              const state = h('td', null, endpointState(e));
              const rate = h('td', { class: 'num' }, '…');
              rows.set(e.id, { state, endpoint: e });
              api(`/v1/endpoints/${e.id}/stats`)
                .then((s) => (rate.textContent = s.successRate === null ? 'no traffic' : `${fmtPct(s.successRate)} (${s.succeeded}/${s.succeeded + s.failed})`))
                .catch(() => (rate.textContent = '—'));
              return h(
                'tr',
                null,
                h('td', { class: 'col-endpoint' }, h('a', { href: `#/endpoints/${e.id}`, class: 'trunc', title: e.url }, endpointName(e)), e.description ? h('div', { class: 'muted small trunc mono', title: e.url }, e.url) : null),
                state,
                h('td', null, e.eventTypes ? e.eventTypes.map((t) => h('code', { class: 'chip' }, t)) : h('span', { class: 'muted' }, 'all')),
                app.isAdmin ? h('td', null, e.tenant ?? h('span', { class: 'muted' }, '—')) : null,
                rate,
              );
            }),
          ),
        ),
      );
      return page;
    } catch (err) {
      replace(body, errorBox(err));
      return null;
    }
  });
  root.append(body, pager.el);
  const off = app.stream.on('endpoint.state', (m) => {
    const row = rows.get(m.endpointId);
    if (row) replace(row.state, endpointState({ ...row.endpoint, ...m }));
  });
  await pager.reset();
  return off;
}
