// One delivery: status, event and endpoint, retry, and the attempt timeline (live).

import { api, ApiError } from '../api.js';
import { urlText } from '../components/endpoint-label.js';
import { h, replace } from '../dom.js';
import { fmtTime, relTime, statusBadge, timeEl } from '../format.js';
import { attemptTimeline } from '../components/attempts.js';
import { codeTag } from '../components/codes.js';
import { retryButton } from '../components/deliveries-table.js';
import { debounce, pageHeader, section } from '../components/page.js';
import { errorBox } from '../components/toast.js';

export async function render(root, params, app) {
  const head = h('div');
  const timeline = h('div');
  const load = async () => {
    try {
      const d = await api(`/v1/deliveries/${params.id}`);
      // A deleted endpoint's deliveries stay; say so instead of linking to a "Not found" page.
      const endpoint = await api(`/v1/endpoints/${d.endpointId}`).catch((err) => (err instanceof ApiError && err.status === 404 ? null : undefined));
      replace(
        head,
        pageHeader(`Delivery ${d.id}`, null, statusBadge(d.status), retryButton(d, () => void load()), d.status === 'failed' || d.status === 'cancelled' ? retryButton(d, () => void load(), { fresh: true }) : null),
        section(
          null,
          h(
            'dl',
            { class: 'props props-inline' },
            h('dt', null, 'Event'),
            h('dd', null, h('a', { href: `#/events/${d.eventId}` }, h('code', null, d.eventType)), ' ', h('span', { class: 'muted mono' }, d.eventId)),
            h('dt', null, 'Endpoint'),
            h('dd', null, endpoint === null ? h('span', { class: 'muted deleted-endpoint', title: d.endpointId }, 'deleted endpoint') : h('a', { href: `#/endpoints/${d.endpointId}` }, endpoint ? endpoint.description || urlText(endpoint.url) : h('span', { class: 'mono' }, d.endpointId))),
            h('dt', null, 'Attempts'),
            h('dd', null, String(Array.isArray(d.attempts) ? d.attempts.length : d.attempts)),
            h('dt', null, 'Last result'),
            h('dd', null, d.lastStatus ? `HTTP ${d.lastStatus} ` : null, codeTag(d.lastCode)),
            h('dt', null, 'Created'),
            h('dd', null, timeEl(d.createdAt)),
            h('dt', null, 'Next attempt'),
            h('dd', null, d.nextAttemptAt ? `${relTime(d.nextAttemptAt)} (${fmtTime(d.nextAttemptAt)})` : '—'),
          ),
        ),
      );
      replace(timeline, attemptTimeline(d.attempts));
    } catch (err) {
      replace(head, errorBox(err));
    }
  };
  root.append(head, section('Attempts', h('div', { 'aria-live': 'polite' }, timeline)));
  await load();
  const later = debounce(() => void load(), 300);
  const off = app.stream.on('attempt.recorded', (m) => m.deliveryId === params.id && later());
  return () => {
    later.cancel();
    off();
  };
}
