// Deliveries: filter by status, endpoint, event, type, time, the last attempt's HTTP status and
// code, and (admin) tenant; retry one; bulk retry everything that
// matches, or recover an endpoint's failed deliveries in a window, each after a confirmation that
// states how many deliveries it affects.

import { api, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { confirmDialog } from '../components/dialog.js';
import { deliveriesTable } from '../components/deliveries-table.js';
import { openInspector } from '../components/delivery-inspector.js';
import { endpointName, loadEndpointDirectory } from '../components/endpoint-label.js';
import { createPager, debounce, filterBox, pageHeader } from '../components/page.js';
import { announce, errorBox, errorMessage, toast } from '../components/toast.js';

const STATUSES = ['pending', 'sending', 'succeeded', 'failed', 'cancelled'];

export async function render(root, params, app) {
  const q = params.query;
  const directory = await loadEndpointDirectory();
  const endpointsById = directory.byId;

  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s, selected: q.get('status') === s }, s)));
  const endpoint = h('select', { name: 'endpoint' }, h('option', { value: '' }, 'Any endpoint'), [...endpointsById.values()].map((e) => h('option', { value: e.id, selected: q.get('endpoint') === e.id, title: e.url }, endpointName(e))));
  const event = h('input', { type: 'text', name: 'event', placeholder: 'evt_…', value: q.get('event') ?? '', spellcheck: 'false' });
  const type = h('input', { type: 'text', name: 'type', placeholder: 'chat.started', value: q.get('type') ?? '', spellcheck: 'false' });
  const since = h('input', { type: 'datetime-local', name: 'since', value: q.get('since') ? toLocalInput(q.get('since')) : '' });
  const until = h('input', { type: 'datetime-local', name: 'until', value: q.get('until') ? toLocalInput(q.get('until')) : '' });
  // The last attempt's answer: an HTTP status and the attempt code (timeout, http_server_error, ...).
  const httpStatus = h('input', { type: 'number', name: 'httpStatus', min: '100', max: '599', placeholder: '503', value: q.get('httpStatus') ?? '' });
  const code = h('input', { type: 'text', name: 'code', placeholder: 'timeout', value: q.get('code') ?? '', spellcheck: 'false' });
  // Only an admin sees several tenants; a tenant key (or portal) is always within its own.
  const tenant = app.isAdmin ? h('input', { type: 'text', name: 'tenant', placeholder: 'acme', value: q.get('tenant') ?? '', spellcheck: 'false' }) : null;
  const clearBtn = h('button', { type: 'button', class: 'btn' }, 'Clear filters');
  const filters = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter deliveries' },
    field('Status', status),
    field('Endpoint', endpoint),
    field('Event ID', event),
    field('Event type', type),
    field('Created since', since),
    field('Created until', until),
    field('HTTP status', httpStatus),
    field('Attempt code', code),
    tenant ? field('Tenant', tenant) : null,
    h('div', { class: 'filter-actions' }, clearBtn),
  );

  const current = () => ({
    status: status.value,
    endpoint: endpoint.value,
    event: event.value.trim(),
    type: type.value.trim(),
    since: fromLocalInput(since.value),
    until: fromLocalInput(until.value),
    httpStatus: httpStatus.value.trim(),
    code: code.value.trim(),
    tenant: tenant?.value.trim() ?? '',
  });
  // Bulk retry and recover take the status/endpoint/event/type/time filters only: with a list-only
  // filter set they would act on more than the list shows, so they wait until it is cleared.
  const listOnly = (f) => Boolean(f.httpStatus || f.code || f.tenant);

  const retryAll = h('button', { type: 'button', 'data-mutates': 'replay', class: 'btn btn-warn' }, 'Retry all matching…');
  const recover = h('button', { type: 'button', 'data-mutates': 'replay', class: 'btn btn-warn' }, 'Recover failed…');
  const progress = h('div', { class: 'bulk-progress', 'aria-live': 'polite' });
  const body = h('div');

  const pager = createPager(async (cursor) => {
    try {
      const page = await api('/v1/deliveries', { query: { ...current(), cursor, limit: 50 } });
      replace(body, deliveriesTable(page.data, { directory, onRetried: () => void pager.reload(), onInspect: (d) => openInspector(d.id, app) }));
      return page;
    } catch (err) {
      replace(body, errorBox(err));
      return null;
    }
  });

  const apply = () => {
    // Keep the filters in the URL so the view can be bookmarked and shared.
    const f = current();
    const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
    history.replaceState(null, '', `#/deliveries${params.toString() ? `?${params}` : ''}`);
    const onlyWindow = !f.event && !f.type && !listOnly(f);
    recover.disabled = !onlyWindow;
    recover.title = onlyWindow ? 'Re-queue failed and cancelled deliveries in the time window' : 'Recover works on an endpoint and time window; clear the event, type, HTTP status, code and tenant filters';
    retryAll.disabled = listOnly(f);
    retryAll.title = listOnly(f) ? 'Bulk retry cannot filter by HTTP status, attempt code or tenant: clear those filters' : '';
    void pager.reset();
  };
  const applySoon = debounce(apply, 300);
  for (const el of [status, endpoint, since, until]) el.addEventListener('change', apply);
  for (const el of [event, type, httpStatus, code, tenant].filter(Boolean)) el.addEventListener('input', applySoon);
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  clearBtn.addEventListener('click', () => {
    for (const el of [status, endpoint]) el.value = '';
    for (const el of [event, type, since, until, httpStatus, code, tenant].filter(Boolean)) el.value = '';
    apply();
  });

  retryAll.addEventListener('click', async () => {
    const f = current();
    retryAll.disabled = true;
    try {
      replace(progress, 'Counting matching deliveries…');
      const { data, truncated } = await listAll('/v1/deliveries', f, { onProgress: (n) => (progress.textContent = `Counting matching deliveries… ${n}`) });
      const todo = data.filter((d) => d.status !== 'sending');
      replace(progress);
      if (todo.length === 0) return toast('No deliveries match these filters.', 'info');
      const ok = await confirmDialog({
        title: 'Retry all matching deliveries?',
        message: [h('p', null, `The filters applied will affect ${todo.length}${truncated ? '+' : ''} deliver${todo.length === 1 ? 'y' : 'ies'}. Each is sent again now, with the same webhook-id (receivers deduplicate on it).`), data.length > todo.length ? h('p', { class: 'muted' }, `${data.length - todo.length} being sent right now are skipped.`) : null],
        confirmLabel: `Retry ${todo.length}`,
        danger: todo.length > 100,
      });
      if (!ok) return;
      // One request: the server runs the retry as a background task (POST /v1/bulk-retries) and this
      // page only follows its progress; closing the tab does not stop it, Cancel does.
      const filter = Object.fromEntries(Object.entries(f).filter(([, v]) => v));
      let task = await api('/v1/bulk-retries', { method: 'POST', body: { filter } });
      const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Bulk retry progress' });
      const text = h('span', { class: 'bulk-text' });
      const cancel = h('button', { type: 'button', class: 'btn btn-small', 'data-mutates': 'replay' }, 'Cancel bulk retry');
      cancel.addEventListener('click', async () => {
        cancel.disabled = true;
        try {
          task = await api(`/v1/bulk-retries/${task.id}`, { method: 'DELETE' });
        } catch (err) {
          toast(errorMessage(err), 'error');
        }
      });
      replace(progress, bar, ' ', text, ' ', cancel);
      const show = (t) => {
        const total = t.total ?? 0;
        bar.max = Math.max(1, total);
        bar.value = t.processed;
        text.textContent = t.total === null ? 'Counting…' : `${t.processed} / ${t.total}${t.cancelRequested && t.status === 'running' ? ' (stopping…)' : ''}`;
      };
      show(task);
      for (let i = 0; task.status === 'running' && i < 7200; i += 1) {
        await new Promise((r) => setTimeout(r, 500));
        if (!progress.isConnected) return; // left the page; the task goes on on the server
        task = await api(`/v1/bulk-retries/${task.id}`);
        show(task);
      }
      const msg =
        task.status === 'completed'
          ? `${task.requeued} deliveries re-queued${task.skipped ? `, ${task.skipped} skipped (in flight or gone)` : ''}.`
          : task.status === 'cancelled'
            ? `Bulk retry cancelled after ${task.processed} of ${task.total ?? '?'} (${task.requeued} re-queued).`
            : `Bulk retry ${task.status}${task.error ? `: ${task.error}` : ''}.`;
      replace(progress, h('span', { class: 'bulk-result', dataset: { status: task.status } }, msg));
      announce(msg);
      void pager.reload();
    } catch (err) {
      replace(progress);
      toast(errorMessage(err), 'error');
    } finally {
      retryAll.disabled = false;
    }
  });

  recover.addEventListener('click', async () => {
    const f = current();
    if (!f.since) {
      toast('Choose "Created since" first: recovery works on a time window.', 'error');
      since.focus();
      return;
    }
    recover.disabled = true;
    try {
      replace(progress, 'Counting failed and cancelled deliveries…');
      const base = { endpoint: f.endpoint, since: f.since, until: f.until };
      const [failedRows, cancelledRows] = await Promise.all([listAll('/v1/deliveries', { ...base, status: 'failed' }), listAll('/v1/deliveries', { ...base, status: 'cancelled' })]);
      const rows = [...failedRows.data, ...cancelledRows.data];
      replace(progress);
      if (rows.length === 0) return toast('No failed or cancelled deliveries in that window.', 'info');
      const byEndpoint = new Map();
      for (const d of rows) byEndpoint.set(d.endpointId, (byEndpoint.get(d.endpointId) ?? 0) + 1);
      const ok = await confirmDialog({
        title: 'Recover failed deliveries?',
        message: [
          h('p', null, `This re-queues ${rows.length} deliver${rows.length === 1 ? 'y' : 'ies'} (${failedRows.data.length} failed, ${cancelledRows.data.length} cancelled) on ${byEndpoint.size} endpoint${byEndpoint.size === 1 ? '' : 's'}, with a fresh retry schedule.`),
          h('ul', null, [...byEndpoint].map(([id, n]) => h('li', null, `${endpointsById.has(id) ? endpointName(endpointsById.get(id)) : `deleted endpoint ${id}`}: ${n}`))),
        ],
        confirmLabel: `Recover ${rows.length}`,
      });
      if (!ok) return;
      let recovered = 0;
      for (const id of byEndpoint.keys()) {
        const r = await api(`/v1/endpoints/${id}/recover`, { method: 'POST', body: { since: f.since, ...(f.until ? { until: f.until } : {}) } });
        recovered += r.recovered;
      }
      toast(`${recovered} deliveries re-queued.`, 'ok');
      void pager.reload();
    } catch (err) {
      replace(progress);
      toast(errorMessage(err), 'error');
    } finally {
      recover.disabled = false;
    }
  });

  root.append(pageHeader('Deliveries', 'One event to one endpoint, with every attempt', retryAll, recover), filterBox(filters, [...q.keys()].length), progress, body, pager.el);
  apply();
  const live = debounce(() => pager.onFirstPage && void pager.reload(), 1000);
  const off = app.stream.on('attempt.recorded', live);
  return () => {
    live.cancel();
    applySoon.cancel();
    off();
  };
}
