// The delivery inspector: a side panel over any list of deliveries, so looking at one does not mean
// leaving the list (and its filters, page and scroll). It shows the request body as sent, the
// endpoint by name and URL, every attempt with what triggered it (scheduled, manual, recover, bulk),
// and the next attempt. One panel at a time; Escape or the close button returns focus to the row.

import { api, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtTime, relTime, statusBadge, timeEl } from '../format.js';
import { attemptTimeline } from './attempts.js';
import { codeTag } from './codes.js';
import { retryButton } from './deliveries-table.js';
import { urlText } from './endpoint-label.js';
import { jsonView } from './json-view.js';
import { errorBox } from './toast.js';

let open = null;

/** The body hookd sends for this event to this endpoint (see src/delivery/request-builder.ts). */
function requestBody(event, endpoint) {
  if (!event) return null;
  if (endpoint?.payloadFormat === 'raw') return event.data;
  return { type: event.type, timestamp: event.createdAt, data: event.data };
}

async function optional(path) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export function closeInspector() {
  open?.close();
}

/** Open the panel for delivery `id`; `app` gives the live stream (the panel follows new attempts). */
export function openInspector(id, app) {
  open?.close();
  const returnFocus = document.activeElement;
  const titleId = `inspector-${id}`;
  const body = h('div', { class: 'inspector-body', 'aria-live': 'polite' }, h('p', { class: 'loading' }, 'Loading…'));
  const closeBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Close the inspector' }, 'Close');
  const panel = h(
    'aside',
    { class: 'inspector', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId, tabindex: '-1' },
    h('div', { class: 'inspector-head' }, h('h2', { id: titleId }, 'Delivery ', h('code', null, id)), closeBtn),
    body,
  );
  const load = async () => {
    try {
      const d = await api(`/v1/deliveries/${id}`);
      const [event, endpoint] = await Promise.all([optional(`/v1/events/${d.eventId}`), optional(`/v1/endpoints/${d.endpointId}`)]);
      const last = d.attempts?.length ? [...d.attempts].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0] : null;
      replace(
        body,
        h('div', { class: 'inspector-actions' }, statusBadge(d.status), retryButton(d, () => void load()), h('a', { class: 'btn btn-small', href: `#/deliveries/${d.id}` }, 'Open full page')),
        h(
          'dl',
          { class: 'props' },
          h('dt', null, 'Endpoint'),
          h(
            'dd',
            { class: 'inspector-endpoint' },
            endpoint
              ? [h('a', { href: `#/endpoints/${endpoint.id}` }, endpoint.description || urlText(endpoint.url)), endpoint.description ? h('div', { class: 'muted small mono' }, urlText(endpoint.url)) : null]
              : h('span', { class: 'muted deleted-endpoint' }, 'deleted endpoint'),
          ),
          h('dt', null, 'Event'),
          h('dd', null, h('a', { href: `#/events/${d.eventId}` }, h('code', null, d.eventType))),
          h('dt', null, 'Attempts'),
          h('dd', null, String(d.attempts?.length ?? 0)),
          h('dt', null, 'Last trigger'),
          h('dd', { class: 'inspector-trigger' }, last?.trigger ?? '—'),
          h('dt', null, 'Last result'),
          h('dd', null, d.lastStatus ? `HTTP ${d.lastStatus} ` : null, codeTag(d.lastCode)),
          h('dt', null, 'Created'),
          h('dd', null, timeEl(d.createdAt)),
          h('dt', null, 'Next attempt'),
          h('dd', { class: 'inspector-next' }, d.nextAttemptAt ? `${relTime(d.nextAttemptAt)} (${fmtTime(d.nextAttemptAt)})` : '—'),
        ),
        h('h3', null, 'Request body'),
        event ? jsonView(requestBody(event, endpoint), { label: 'request body' }) : h('p', { class: 'muted' }, 'The event is no longer stored (pruned).'),
        h('h3', null, 'Attempts'),
        attemptTimeline(d.attempts),
      );
    } catch (err) {
      replace(body, errorBox(err, 'Could not load the delivery'));
    }
  };
  const onKey = (ev) => {
    if (ev.key === 'Escape') close();
  };
  let timer = null;
  const off = app?.stream?.on('attempt.recorded', (m) => {
    if (m.deliveryId !== id) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 300);
  });
  const close = () => {
    if (open?.panel !== panel) return;
    open = null;
    clearTimeout(timer);
    off?.();
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('hashchange', close);
    panel.remove();
    document.body.classList.remove('inspecting');
    if (returnFocus instanceof HTMLElement && returnFocus.isConnected) returnFocus.focus();
  };
  closeBtn.addEventListener('click', close);
  document.addEventListener('keydown', onKey);
  // Navigating away (a link inside the panel, back) closes it.
  window.addEventListener('hashchange', close);
  open = { panel, close };
  document.body.append(panel);
  document.body.classList.add('inspecting');
  panel.focus();
  void load();
  return open;
}
