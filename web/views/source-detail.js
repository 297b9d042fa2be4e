// One source: ingress URL, verification, event type rule, and the request log with the reason for
// each rejection (live: refreshed while the page is open).

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { shortId, timeEl } from '../format.js';
import { confirmDialog } from '../components/dialog.js';
import { headersTable } from '../components/headers-table.js';
import { jsonView } from '../components/json-view.js';
import { createPager, pageHeader, section } from '../components/page.js';
import { errorBox, errorMessage, toast } from '../components/toast.js';
import { consumeFields, ingressUrl } from './sources.js';

const VERDICT_CLASS = { accepted: 'succeeded', duplicate: 'neutral', rejected: 'failed' };

function rule(eventType) {
  if (!eventType) return 'from the body’s "type" field, or the source default';
  if (typeof eventType === 'string') return h('code', null, eventType);
  if (eventType.header) return ['header ', h('code', null, eventType.header)];
  if (eventType.pointer) return ['JSON pointer ', h('code', null, eventType.pointer)];
  return JSON.stringify(eventType);
}

/** Set, change or remove the broker the source consumes from (PATCH consume; credentials given again). */
function consumeForm(s, app) {
  const fields = consumeFields(s.consume);
  const errors = h('div', { tabindex: '-1' });
  const save = h('button', { type: 'submit', 'data-mutates': '', class: 'btn btn-primary' }, 'Save broker settings');
  const stop = h('button', { type: 'button', 'data-mutates': '', class: 'btn', hidden: !s.consume }, 'Stop consuming');
  const form = h('form', { class: 'form' }, errors, fields.el, h('div', { class: 'form-actions' }, save, stop));
  const patch = async (consume) => {
    try {
      await api(`/v1/sources/${s.id}`, { method: 'PATCH', body: { consume } });
      toast(consume ? 'Broker settings saved.' : 'The source no longer consumes from a broker.', 'ok');
      app.navigate(`#/sources/${s.id}`);
    } catch (err) {
      replace(errors, errorBox(err, 'The broker settings were not saved'));
      errors.focus();
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void patch(fields.value());
  });
  stop.addEventListener('click', () => void patch(null));
  return form;
}

export async function render(root, params, app) {
  const s = await api(`/v1/sources/${params.id}`);
  const del = h('button', { type: 'button', 'data-mutates': '', class: 'btn btn-danger' }, 'Delete…');
  del.addEventListener('click', async () => {
    if (!(await confirmDialog({ title: `Delete ${s.name}?`, message: h('p', null, 'Requests to its ingress URL will be refused. Events it already created stay.'), confirmLabel: 'Delete source', danger: true }))) return;
    try {
      await api(`/v1/sources/${s.id}`, { method: 'DELETE' });
      toast('Source deleted.', 'ok');
      app.navigate('#/sources');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });
  const verify = Object.entries(s.verify ?? {}).filter(([k]) => k !== 'scheme');
  const log = h('div');
  const verdict = h('select', { name: 'verdict', 'aria-label': 'Show requests' }, h('option', { value: '' }, 'All requests'), ['accepted', 'duplicate', 'rejected'].map((v) => h('option', { value: v }, v)));
  const replayButton = (r) => {
    if (r.verdict === 'rejected') return null;
    const btn = h('button', { type: 'button', 'data-mutates': 'replay', class: 'btn btn-small' }, 'Replay');
    btn.addEventListener('click', async () => {
      try {
        const answer = await api(`/v1/sources/${s.id}/requests/${r.id}/replay`, { method: 'POST' });
        toast(`Replayed as a new event${(answer?.eventId ?? answer?.id) ? ` ${shortId(answer.eventId ?? answer.id)}` : ''}.`, 'ok');
      } catch (err) {
        toast(errorMessage(err), 'error');
      }
    });
    return btn;
  };
  const pager = createPager(async (cursor) => {
    try {
      const page = await api(`/v1/sources/${s.id}/requests`, { query: { cursor, limit: 50, verdict: verdict.value } });
      replace(
        log,
        page.data.length === 0
          ? h('p', { class: 'muted' }, 'No requests yet. Send one to the ingress URL.')
          : h(
              'ol',
              { class: 'request-log' },
              page.data.map((r) =>
                h(
                  'li',
                  { class: `req req-${r.verdict}` },
                  h(
                    'details',
                    null,
                    h('summary', null, h('span', { class: `badge badge-${VERDICT_CLASS[r.verdict] ?? 'neutral'}` }, r.verdict), ' ', h('span', { class: 'mono req-status', title: 'The HTTP status the sender received' }, String(r.status)), ' ', timeEl(r.receivedAt), ' ', r.remoteAddress ? h('span', { class: 'muted mono' }, r.remoteAddress) : null, r.reason ? h('span', { class: 'req-reason' }, ` — ${r.reason}`) : null, r.code ? [' ', h('code', { class: 'code-tag code-bad' }, r.code)] : null),
                    h('div', { class: 'attempt-body' }, replayButton(r), r.eventId ? h('p', null, 'Event: ', h('a', { href: `#/events/${r.eventId}`, class: 'mono' }, shortId(r.eventId))) : null, r.dedupeKey ? h('p', null, 'Provider delivery id: ', h('code', null, r.dedupeKey)) : null, headersTable(r.headers, 'Request headers'), r.body ? jsonView(r.body, { label: 'request body' }) : h('p', { class: 'muted' }, 'Empty body')),
                  ),
                ),
              ),
            ),
      );
      return page;
    } catch (err) {
      replace(log, errorBox(err));
      return null;
    }
  });
  root.append(
    pageHeader(s.name, 'Inbound source', del),
    section(
      null,
      h(
        'dl',
        { class: 'props props-inline' },
        h('dt', null, 'Ingress URL'),
        h('dd', null, ingressUrl(s)),
        h('dt', null, 'Verification'),
        h('dd', null, h('code', null, s.verify?.scheme ?? '—'), verify.length ? h('span', { class: 'muted' }, ` (${verify.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')})`) : null),
        h('dt', null, 'Event type'),
        h('dd', null, rule(s.eventType)),
        h('dt', null, 'Consumes from'),
        h('dd', null, s.consume ? [h('code', { class: 'break' }, s.consume.url), s.consume.username || s.consume.password ? h('span', { class: 'muted' }, ` (${[s.consume.username ? `user: ${s.consume.username}` : null, s.consume.password ? `password: ${s.consume.password}` : null].filter(Boolean).join(', ')})`) : null] : 'no broker (HTTP only)'),
        h('dt', null, 'Allowed IPs'),
        h('dd', null, s.allowIps?.length ? s.allowIps.join(', ') : 'any'),
        h('dt', null, 'Tenant'),
        h('dd', null, s.tenant ?? '—'),
        h('dt', null, 'ID'),
        h('dd', null, h('code', null, s.id)),
      ),
    ),
    section('Broker consumption', consumeForm(s, app)),
    section('Request log', h('div', { class: 'type-head' }, h('p', { class: 'muted' }, 'Every request, accepted or rejected, with the reason.'), verdict), log, pager.el),
  );
  verdict.addEventListener('change', () => void pager.reset());
  await pager.reset();
  // Inbound requests are not on the stream; new events from this source are, so refresh on those.
  const off = app.stream.on('event.published', () => pager.onFirstPage && void pager.reload());
  const timer = setInterval(() => pager.onFirstPage && void pager.reload(), 10000);
  return () => {
    off();
    clearInterval(timer);
  };
}
