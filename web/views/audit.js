// Audit log: who changed what through the API, newest first (GET /v1/audit). A tenant key (or a
// portal) sees its tenant's records only; the server decides, the page just lists.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { createPager, filterBox, pageHeader } from '../components/page.js';
import { errorBox } from '../components/toast.js';

function actorLabel(a) {
  if (a.kind === 'portal') return 'portal session';
  return a.name ? `${a.name} (${a.id})` : a.id;
}

export async function render(root, params) {
  const q = params.query;
  const action = h('input', { type: 'text', name: 'action', placeholder: 'endpoint. or endpoint.update', value: q.get('action') ?? '', spellcheck: 'false' });
  const target = h('input', { type: 'text', name: 'target', placeholder: 'ep_…', value: q.get('target') ?? '', spellcheck: 'false' });
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the audit log' },
    field('Action', action, 'An action, or a kind ending in a dot.'),
    field('Object', target),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn' }, 'Apply')),
  );
  const body = h('div', { class: 'table-wrap' });
  const pager = createPager(async (cursor) => {
    try {
      const page = await api('/v1/audit', { query: { cursor, limit: 50, action: action.value.trim() || undefined, target: target.value.trim() || undefined } });
      replace(
        body,
        page.data.length === 0
          ? h('p', { class: 'muted empty-note' }, 'No changes recorded.')
          : h(
              'table',
              { class: 'table' },
              h('thead', null, h('tr', null, ['When', 'Action', 'Object', 'Who', 'Tenant', 'Change'].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                null,
                page.data.map((r) =>
                  h(
                    'tr',
                    { 'data-audit': r.id },
                    h('td', { class: 'nowrap' }, timeEl(r.at)),
                    h('td', null, h('code', null, r.action)),
                    h('td', null, r.target ? h('code', null, r.target) : h('span', { class: 'muted' }, '—')),
                    h('td', null, actorLabel(r.actor)),
                    h('td', null, r.tenant ?? h('span', { class: 'muted' }, '—')),
                    h('td', null, h('details', null, h('summary', null, 'diff'), h('pre', { class: 'code' }, JSON.stringify(r.diff, null, 2)))),
                  ),
                ),
              ),
            ),
      );
      return page;
    } catch (err) {
      replace(body, errorBox(err));
      return null;
    }
  });
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams(Object.entries({ action: action.value.trim(), target: target.value.trim() }).filter(([, v]) => v));
    history.replaceState(null, '', `#/audit${p.toString() ? `?${p}` : ''}`);
    void pager.reset();
  });
  root.append(pageHeader('Audit log', 'Who changed what through the API, newest first'), filterBox(filters, [...q.keys()].length), body, pager.el);
  await pager.reset();
}
