// A table of deliveries with a retry button per row ("Force retry" on a successful one: a manual
// redelivery with the same webhook-id).

import { api } from '../api.js';
import { h } from '../dom.js';
import { relTime, shortId, statusBadge, timeEl } from '../format.js';
import { codeTag } from './codes.js';
import { errorMessage, toast } from './toast.js';

export function retryButton(d, onRetried) {
  const label = d.status === 'succeeded' ? 'Force retry' : 'Retry';
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `${label} delivery ${d.id}`, disabled: d.status === 'sending' }, label);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api(`/v1/deliveries/${d.id}/retry`, { method: 'POST' });
      toast(`Delivery ${shortId(d.id)} re-queued.`, 'ok');
      onRetried?.();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      btn.disabled = false;
    }
  });
  return btn;
}

export function deliveriesTable(deliveries, { showEndpoint = true, showEvent = true, onRetried, endpointsById } = {}) {
  if (deliveries.length === 0) return h('p', { class: 'muted' }, 'No deliveries.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table' },
      h('thead', null, h('tr', null, ['Delivery', 'Status', showEvent ? 'Event type' : null, showEndpoint ? 'Endpoint' : null, 'Attempts', 'Last result', 'Created', 'Next attempt', ''].filter((t) => t !== null).map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions'))))),
      h(
        'tbody',
        null,
        deliveries.map((d) =>
          h(
            'tr',
            { 'data-delivery': d.id },
            h('td', null, h('a', { href: `#/deliveries/${d.id}`, class: 'mono' }, shortId(d.id))),
            h('td', null, statusBadge(d.status)),
            showEvent ? h('td', null, h('a', { href: `#/events/${d.eventId}` }, h('code', null, d.eventType))) : null,
            showEndpoint ? h('td', { class: 'cell-url' }, h('a', { href: `#/endpoints/${d.endpointId}` }, endpointsById?.get(d.endpointId)?.url ?? shortId(d.endpointId))) : null,
            h('td', { class: 'num' }, String(d.attempts)),
            h('td', null, d.lastStatus ? h('span', { class: 'mono' }, `${d.lastStatus} `) : null, codeTag(d.lastCode)),
            h('td', null, timeEl(d.createdAt)),
            h('td', null, d.nextAttemptAt ? h('time', { datetime: d.nextAttemptAt }, relTime(d.nextAttemptAt)) : h('span', { class: 'muted' }, '—')),
            h('td', null, retryButton(d, onRetried)),
          ),
        ),
      ),
    ),
  );
}
