// Events: newest first, filtered by type, tenant, delivery status and time, with new events arriving
// live from the stream. Live rows are added on the first page only; on older pages a counter says how
// many arrived, so the page being read never shifts under the reader.

import { api, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { fromLocalInput, shortId, timeEl, toLocalInput } from '../format.js';
import { debounce, filterBox, pageHeader } from '../components/page.js';
import { errorBox } from '../components/toast.js';
import { matchesTypeFilter, OPERATIONAL_TYPES, parseTypeFilter } from '../components/type-filter.js';

const STATUSES = ['pending', 'sending', 'succeeded', 'failed', 'cancelled', 'none'];

function summary(d) {
  if (!d) return h('span', { class: 'muted' }, '…');
  if (d.total === 0) return h('span', { class: 'muted' }, 'no deliveries');
  return h(
    'span',
    { class: 'summary' },
    ['succeeded', 'failed', 'pending', 'sending', 'cancelled'].filter((k) => d[k]).map((k) => h('span', { class: `badge badge-${k}` }, `${d[k]} ${k}`)),
  );
}

export async function render(root, params, app) {
  const q = params.query;
  const types = await listAll('/v1/event-types', {}, { cap: 500 }).catch(() => ({ data: [] }));
  const typeList = h('datalist', { id: 'event-type-list' }, types.data.map((t) => h('option', { value: t.name })));
  const type = h('input', { type: 'text', name: 'type', list: 'event-type-list', placeholder: 'chat.*, -chat.ended', value: q.get('type') ?? '', spellcheck: 'false' });
  // hookd's own events (an exhausted delivery, a disabled endpoint) can outnumber the real ones
  // during an outage: hidden unless asked for, and the choice is kept in the URL.
  const operational = h('input', { type: 'checkbox', id: 'events-operational', checked: q.get('operational') === 'show' });
  const tenant = h('input', { type: 'text', name: 'tenant', placeholder: 'any tenant (- for none)', value: q.get('tenant') ?? '' });
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any'), STATUSES.map((s) => h('option', { value: s, selected: q.get('status') === s }, s === 'none' ? 'no deliveries' : `has ${s}`)));
  const since = h('input', { type: 'datetime-local', name: 'since', value: q.get('since') ? toLocalInput(q.get('since')) : '' });
  const until = h('input', { type: 'datetime-local', name: 'until', value: q.get('until') ? toLocalInput(q.get('until')) : '' });
  // One box for the three searches: a JSON object matches the data, evt_... is an id, anything else
  // an idempotency key.
  const search = h('input', { type: 'search', name: 'search', placeholder: '{"customer":{"tier":"vip"}}, evt_… or an idempotency key', value: q.get('search') ?? '', spellcheck: 'false', 'aria-label': 'Search events' });
  const liveToggle = h('input', { type: 'checkbox', id: 'events-live', checked: true });
  const clearBtn = h('button', { type: 'button', class: 'btn' }, 'Clear filters');
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter events' },
    typeList,
    field('Search', search, 'Data containing a JSON object, an event id, or an idempotency key.'),
    field('Type', type, 'A type, a prefix (chat.*) or an exclusion (-chat.ended); several with commas.'),
    app.isAdmin ? field('Tenant', tenant) : null,
    field('Delivery status', status),
    field('Since', since),
    field('Until', until),
    h('div', { class: 'filter-actions' }, h('label', { class: 'check', for: 'events-operational', title: 'endpoint.disabled, endpoint.recovered, delivery.exhausted' }, operational, ' Show operational events'), h('label', { class: 'check', for: 'events-live' }, liveToggle, ' Live'), clearBtn),
  );
  const newer = h('div', { 'aria-live': 'polite' });
  const problem = h('div');
  const tbody = h('tbody');
  const table = h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Created', 'Type', 'Event', app.isAdmin ? 'Tenant' : null, 'Deliveries'].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))), tbody);
  const body = h('div', { class: 'table-wrap' }, table);
  const older = h('button', { type: 'button', class: 'btn' }, 'Load older');
  const status2 = h('p', { class: 'muted', role: 'status' });
  const rows = new Map();
  let before = null;
  let pendingNew = 0;
  const filterOf = () => ({ search: search.value.trim(), type: type.value.trim(), operational: operational.checked ? 'show' : 'hide', tenant: app.isAdmin ? tenant.value.trim() : '', status: status.value, since: fromLocalInput(since.value), until: fromLocalInput(until.value) });
  const searchQuery = (text) => {
    if (!text) return {};
    if (text.startsWith('{')) return { match: text };
    if (/^evt_[0-9a-f]+$/.test(text)) return { id: text };
    return { idempotencyKey: text };
  };

  const row = (e, fresh = false) => {
    const sumCell = h('td', null, summary(e.deliveries));
    const tr = h(
      'tr',
      { class: fresh ? 'row-new' : null },
      h('td', null, timeEl(e.createdAt)),
      h('td', null, h('code', null, e.type)),
      h('td', null, h('a', { href: `#/events/${e.id}`, class: 'mono' }, shortId(e.id))),
      app.isAdmin ? h('td', null, e.tenant ?? h('span', { class: 'muted' }, '—')) : null,
      sumCell,
    );
    rows.set(e.id, sumCell);
    return tr;
  };

  const load = async (append) => {
    try {
      const { search: text, ...rest } = filterOf();
      const page = await api('/v1/meta/recent-events', { query: { ...rest, ...searchQuery(text), before: append ? before : undefined, limit: 50 } });
      replace(problem);
      if (!append) {
        replace(tbody);
        rows.clear();
        pendingNew = 0;
        replace(newer);
      }
      for (const e of page.data) tbody.appendChild(row(e));
      before = page.before;
      older.hidden = !before;
      status2.textContent = tbody.children.length === 0 ? 'No events match these filters.' : `${tbody.children.length} events shown.`;
    } catch (err) {
      // In its own slot: a bad filter must not replace the table the next good one fills.
      replace(tbody);
      rows.clear();
      status2.textContent = '';
      replace(problem, errorBox(err));
    }
  };
  const apply = () => {
    const params = new URLSearchParams(Object.entries(filterOf()).filter(([k, v]) => v && !(k === 'operational' && v === 'hide')));
    history.replaceState(null, '', `#/events${params.toString() ? `?${params}` : ''}`);
    void load(false);
  };
  const applySoon = debounce(apply, 300);
  for (const el of [status, since, until, operational]) el.addEventListener('change', apply);
  for (const el of [type, tenant, search]) el.addEventListener('input', applySoon);
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  clearBtn.addEventListener('click', () => {
    for (const el of [search, type, tenant, status, since, until]) el.value = '';
    operational.checked = false;
    apply();
  });
  older.addEventListener('click', () => void load(true));

  const refreshSummary = async (eventId) => {
    const cell = rows.get(eventId);
    if (!cell) return;
    try {
      const page = await api(`/v1/events/${eventId}/deliveries`, { query: { limit: 250 } });
      const d = { total: page.data.length, pending: 0, sending: 0, succeeded: 0, failed: 0, cancelled: 0 };
      for (const x of page.data) d[x.status] += 1;
      replace(cell, summary(d));
    } catch {
      // The row keeps its last summary.
    }
  };
  const matchesLive = (m) => {
    const f = filterOf();
    if (f.operational === 'hide' && OPERATIONAL_TYPES.has(m.type)) return false;
    if (f.type && !matchesTypeFilter(parseTypeFilter(f.type), m.type)) return false;
    if (f.tenant && (f.tenant === '-' ? m.tenant !== null : f.tenant !== m.tenant)) return false;
    // Status and time filters need data a fresh event does not have yet, and the stream carries no
    // event data to search: reload instead.
    return !f.status && !f.until && !f.search;
  };
  const offs = [
    app.stream.on('event.published', (m) => {
      if (!matchesLive(m)) return;
      if (liveToggle.checked) {
        tbody.insertBefore(row({ ...m, deliveries: null }, true), tbody.firstChild);
        setTimeout(() => void refreshSummary(m.id), 300);
      } else {
        pendingNew += 1;
        const show = h('button', { type: 'button', class: 'btn btn-small' }, `${pendingNew} new event${pendingNew === 1 ? '' : 's'}: show`);
        show.addEventListener('click', () => void load(false));
        replace(newer, show);
      }
    }),
    app.stream.on('attempt.recorded', (m) => rows.has(m.eventId) && void refreshSummary(m.eventId)),
  ];

  root.append(pageHeader('Events', 'Everything published or received, newest first', h('a', { class: 'btn', href: '#/pull-vs-push' }, 'Pull vs push')), filterBox(filters, [...q.keys()].length), problem, newer, body, status2, older);
  await load(false);
  return () => {
    applySoon.cancel();
    for (const off of offs) off();
  };
}
