// A table of deliveries with a retry button per row ("Force retry" on a successful one: a manual
// redelivery with the same webhook-id).

import { api } from '../api.js';
import { h } from '../dom.js';
import { shortId, statusBadge, timeEl } from '../format.js';
import { endpointLink } from './endpoint-label.js';
import { codeTag } from './codes.js';
import { errorMessage, toast } from './toast.js';

/** One attempt now; `fresh` runs the endpoint's whole retry schedule again instead. */
export function retryButton(d, onRetried, { fresh = false } = {}) {
  const label = fresh ? 'Retry with full schedule' : d.status === 'succeeded' ? 'Force retry' : 'Retry';
  const btn = h('button', { type: 'button', 'data-mutates': '', class: 'btn btn-small', 'aria-label': fresh ? `Retry delivery ${d.id} with the full retry schedule` : `${label} delivery ${d.id}`, disabled: d.status === 'sending' }, label);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await api(`/v1/deliveries/${d.id}/retry`, { method: 'POST', query: fresh ? { schedule: 'fresh' } : undefined });
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

/**
 * The table fits its box at laptop widths: long names (endpoint, event type) are cut with an ellipsis
 * and carry the full text in their tooltip; ids, times and buttons never wrap. On a phone the table
 * scrolls inside its own box. `directory` is from loadEndpointDirectory().
 */
export function deliveriesTable(deliveries, { showEndpoint = true, showEvent = true, onRetried, directory, onInspect } = {}) {
  if (deliveries.length === 0) return h('p', { class: 'muted' }, 'No deliveries.');
  const cols = [['Delivery'], ['Status'], showEvent ? ['Event type', 'col-type'] : null, showEndpoint ? ['Endpoint', 'col-endpoint'] : null, ['Attempts', 'num'], ['Last result'], ['Created'], ['Next attempt'], ['']].filter(Boolean);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table table-deliveries' },
      h('thead', null, h('tr', null, cols.map(([t, cls]) => h('th', { scope: 'col', class: cls }, t || h('span', { class: 'visually-hidden' }, 'Actions'))))),
      h(
        'tbody',
        null,
        deliveries.map((d) =>
          h(
            'tr',
            { 'data-delivery': d.id },
            // With an inspector the id opens it (a side panel, the list stays); its "Open full page"
            // link leads on. It costs no extra column, so the table still fits a 1366 px screen.
            h('td', { class: 'nowrap' }, onInspect ? inspectButton(d, onInspect) : h('a', { href: `#/deliveries/${d.id}`, class: 'mono', title: d.id }, shortId(d.id))),
            h('td', null, statusBadge(d.status)),
            showEvent ? h('td', { class: 'col-type' }, h('a', { href: `#/events/${d.eventId}`, class: 'trunc', title: d.eventType }, h('code', null, d.eventType))) : null,
            showEndpoint ? h('td', { class: 'col-endpoint' }, endpointLink(d.endpointId, directory, { deliveryCode: d.lastCode })) : null,
            h('td', { class: 'num' }, String(d.attempts)),
            h('td', { class: 'col-result' }, h('span', { class: 'trunc' }, d.lastStatus ? h('span', { class: 'mono' }, `${d.lastStatus} `) : null, codeTag(d.lastCode))),
            h('td', { class: 'nowrap' }, timeEl(d.createdAt)),
            h('td', { class: 'nowrap' }, d.nextAttemptAt ? timeEl(d.nextAttemptAt, true) : h('span', { class: 'muted' }, '—')),
            h('td', { class: 'nowrap cell-actions' }, retryButton(d, onRetried)),
          ),
        ),
      ),
    ),
  );
}

function inspectButton(d, onInspect) {
  const btn = h('button', { type: 'button', class: 'link-button mono', 'aria-label': `Inspect delivery ${d.id}`, title: `${d.id}: inspect` }, shortId(d.id));
  btn.addEventListener('click', () => onInspect(d));
  return btn;
}
