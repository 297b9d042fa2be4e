// Request bins: capture URLs served by hookd itself (POST/GET/DELETE /v1/bins). The list creates and
// deletes bins; a bin's page shows what it captured, newest first, refreshed every second while open:
// each request with its headers, the body pretty-printed when it is JSON (raw otherwise), the
// Standard Webhooks verdict when the bin has a secret, and "replay to URL". All text goes through
// dom.js (text nodes only), so captured bodies can never become markup.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { copyButton } from '../components/copy.js';
import { pageHeader } from '../components/page.js';
import { errorBox, toast } from '../components/toast.js';

const REFRESH_MS = 1000;

function table(head, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'muted empty-note' }, empty);
  return h('table', { class: 'table' }, h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows));
}

/** JSON pretty-printed; anything else as it came (base64 marked as such). */
export function prettyBody(r) {
  if (r.bodyEncoding === 'base64') return `(binary, base64)\n${r.body}`;
  try {
    return JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    return r.body;
  }
}

function signatureBadge(r) {
  if (r.signature === null) return h('span', { class: 'muted' }, '—');
  return r.signature.ok
    ? h('span', { class: 'badge badge-succeeded', 'data-signature': 'ok' }, 'signature ok')
    : h('span', { class: 'badge badge-failed', 'data-signature': 'bad', title: r.signature.message ?? '' }, r.signature.code ?? 'signature bad');
}

async function renderList(root) {
  const list = h('div', { class: 'table-wrap', 'data-bins': '' });
  const name = h('input', { type: 'text', name: 'bin-name', maxlength: '200', placeholder: 'crm test' });
  const status = h('input', { type: 'number', name: 'bin-status', min: '200', max: '599', value: '200' });
  const failRate = h('input', { type: 'number', name: 'bin-fail-rate', min: '0', max: '1', step: 'any', value: '0' });
  const latency = h('input', { type: 'text', name: 'bin-latency', placeholder: '0 or 200..3000', value: '0' });
  const secret = h('input', { type: 'password', name: 'bin-secret', autocomplete: 'off', placeholder: 'whsec_… (optional)' });
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'New request bin' },
    field('Name', name),
    field('Answer status', status),
    field('Fail rate', failRate, 'Share of requests answered 500.'),
    field('Latency (ms)', latency),
    field('Secret', secret, 'Captured requests are checked against this Standard Webhooks secret.'),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create bin')),
  );

  async function reload() {
    try {
      const page = await api('/v1/bins', { query: { limit: 100 } });
      replace(
        list,
        table(
          ['Name', 'Capture URL', 'Expires', ''],
          page.data.map((b) => {
            const del = h('button', { type: 'button', class: 'btn btn-small' }, 'Delete');
            del.setAttribute('aria-label', `Delete ${b.name}`);
            del.addEventListener('click', async () => {
              try {
                await api(`/v1/bins/${encodeURIComponent(b.id)}`, { method: 'DELETE' });
                toast(`Deleted ${b.name}`);
                await reload();
              } catch (err) {
                toast(err.message, 'error');
              }
            });
            return h(
              'tr',
              { 'data-bin': b.id },
              h('td', null, h('a', { href: `#/bins/${encodeURIComponent(b.id)}` }, b.name)),
              h('td', null, h('code', null, b.captureUrl), ' ', copyButton(b.captureUrl, 'Copy URL')),
              h('td', null, timeEl(b.expiresAt, true)),
              h('td', null, del),
            );
          }),
          'No request bins yet. Create one, then send a webhook to its URL.',
        ),
      );
    } catch (err) {
      replace(list, errorBox(err));
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { status: Number(status.value), failRate: Number(failRate.value), latency: latency.value.trim() || '0' };
    if (name.value.trim()) body.name = name.value.trim();
    if (secret.value.trim()) body.secret = secret.value.trim();
    try {
      const created = await api('/v1/bins', { method: 'POST', body });
      toast(`Created ${created.name}`);
      location.hash = `#/bins/${encodeURIComponent(created.id)}`;
    } catch (err) {
      toast(err.message, 'error');
    }
  });

  root.append(pageHeader('Request bins', 'Capture URLs on this server: look at a webhook before writing a receiver'), h('section', null, list, form));
  await reload();
}

function requestCard(bin, r) {
  const url = h('input', { type: 'url', name: 'replay-url', placeholder: 'http://localhost:3000/webhooks', required: true });
  const result = h('p', { class: 'muted', 'aria-live': 'polite', 'data-replay-result': '' });
  const replay = h('form', { class: 'filters', 'aria-label': 'Replay this request' }, field('Replay to URL', url), h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn' }, 'Replay')));
  replay.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const sent = await api(`/v1/bins/${encodeURIComponent(bin.id)}/requests/${encodeURIComponent(r.id)}/replay`, { method: 'POST', body: { url: url.value.trim() } });
      replace(result, sent.errorCode ? `${sent.errorCode}: ${sent.errorMessage ?? ''} (${sent.durationMs} ms)` : `answered ${sent.status} in ${sent.durationMs} ms`);
    } catch (err) {
      replace(result, err.message);
    }
  });
  const headers = h('table', { class: 'table' }, h('tbody', null, Object.entries(r.headers).map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, h('code', null, v))))));
  return h(
    'details',
    { class: 'card', 'data-request': r.id },
    h('summary', null, h('strong', null, r.method), ' ', h('code', null, r.path), ' · ', `${r.size} B${r.truncated ? ' (truncated)' : ''}`, ' · ', timeEl(r.receivedAt, true), ' · ', signatureBadge(r)),
    r.signature && !r.signature.ok && r.signature.message ? h('p', { class: 'field-error' }, r.signature.message) : null,
    h('h3', null, 'Headers'),
    headers,
    h('h3', null, 'Body'),
    h('pre', { class: 'code', 'data-body': '' }, prettyBody(r)),
    replay,
    result,
  );
}

async function renderBin(root, id) {
  const bin = await api(`/v1/bins/${encodeURIComponent(id)}`);
  const requests = h('div', { 'data-bin-requests': '' });
  const count = h('span', { class: 'muted', 'aria-live': 'polite' });
  const open = new Set();
  let shown = null;
  async function refresh() {
    const page = await api(`/v1/bins/${encodeURIComponent(id)}/requests`, { query: { limit: 50 } });
    const key = page.data.map((r) => r.id).join(',');
    if (key === shown) return;
    // Keep what the user expanded open across refreshes.
    for (const d of requests.querySelectorAll('details[open]')) open.add(d.dataset.request);
    shown = key;
    replace(count, `${page.data.length} shown, newest first`);
    if (page.data.length === 0) return replace(requests, h('p', { class: 'muted empty-note' }, 'Nothing captured yet. Send a request to the URL above; it appears here within a second.'));
    replace(
      requests,
      page.data.map((r) => {
        const card = requestCard(bin, r);
        if (open.has(r.id)) card.open = true;
        return card;
      }),
    );
  }
  root.append(
    pageHeader(bin.name, 'Request bin'),
    h(
      'section',
      { class: 'card' },
      h('p', null, 'Capture URL: ', h('code', { 'data-capture-url': '' }, bin.captureUrl), ' ', copyButton(bin.captureUrl, 'Copy URL')),
      h('p', { class: 'muted' }, `Answers ${bin.behaviour.status}${bin.behaviour.failRate > 0 ? `, fails ${bin.behaviour.failRate * 100}% with ${bin.behaviour.failStatus}` : ''}; `, bin.secret ? 'checks Standard Webhooks signatures; ' : 'no signature check; ', 'expires ', timeEl(bin.expiresAt, true), '.'),
    ),
    h('section', null, h('h2', null, 'Captured requests ', count), requests),
  );
  await refresh();
  const timer = setInterval(() => {
    refresh().catch((err) => replace(requests, errorBox(err)));
  }, REFRESH_MS);
  return () => clearInterval(timer);
}

export async function render(root, params) {
  if (params?.id) return renderBin(root, params.id);
  return renderList(root);
}
