// One event: its metadata, the payload with syntax highlighting, and its deliveries (live).

import { api } from '../api.js';
import { loadEndpointDirectory } from '../components/endpoint-label.js';
import { h, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { deliveriesTable } from '../components/deliveries-table.js';
import { openInspector } from '../components/delivery-inspector.js';
import { jsonView } from '../components/json-view.js';
import { debounce, pageHeader, section } from '../components/page.js';
import { errorBox } from '../components/toast.js';

export async function render(root, params, app) {
  const e = await api(`/v1/events/${params.id}`);
  const directory = await loadEndpointDirectory();
  const deliveries = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    try {
      const page = await api(`/v1/events/${e.id}/deliveries`, { query: { limit: 250 } });
      replace(deliveries, deliveriesTable(page.data, { showEvent: false, directory, onRetried: () => void load(), onInspect: (d) => openInspector(d.id, app) }));
    } catch (err) {
      replace(deliveries, errorBox(err));
    }
  };
  root.append(
    pageHeader(e.type, `Event ${e.id}`),
    section(
      null,
      h(
        'dl',
        { class: 'props props-inline' },
        h('dt', null, 'ID'),
        h('dd', null, h('code', null, e.id)),
        h('dt', null, 'Type'),
        h('dd', null, h('code', { class: 'chip' }, e.type)),
        h('dt', null, 'Created'),
        h('dd', null, timeEl(e.createdAt)),
        h('dt', null, 'Tenant'),
        h('dd', null, e.tenant ?? '—'),
        h('dt', null, 'Idempotency key'),
        h('dd', null, e.idempotencyKey ? h('code', null, e.idempotencyKey) : '—'),
        h('dt', null, 'Source'),
        h('dd', null, e.sourceId ? h('a', { href: `#/sources/${e.sourceId}` }, e.sourceId) : 'published through the API'),
      ),
    ),
    section('Payload', jsonView(e.data, { label: 'event payload' })),
    section('Deliveries', deliveries),
  );
  await load();
  const later = debounce(() => void load(), 300);
  const off = app.stream.on('attempt.recorded', (m) => m.eventId === e.id && later());
  return () => {
    later.cancel();
    off();
  };
}
