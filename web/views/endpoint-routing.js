// The endpoint page's Routing tab: the content filter (edit, test against an example event, save)
// and the transform (none, a preset, or JavaScript in a textarea; test on an example event, save
// as the next version; earlier versions listed). The server checks everything again on save.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { section } from '../components/page.js';
import { errorBox, toast } from '../components/toast.js';

const EXAMPLE_CODE = `function transform(webhook) {
  // webhook: { event: { id, type, tenant, createdAt, data }, url, method, headers, body }
  // Return the webhook (changed or not), or null to cancel this delivery.
  webhook.body = { text: webhook.event.type + ' for ' + (webhook.event.tenant ?? 'no tenant') };
  return webhook;
}`;

function parseJson(text, what, out) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    replace(out, errorBox({ title: `${what} is not valid JSON`, message: err.message }));
    return { ok: false };
  }
}

function filterSection(e, readOnly, onSaved) {
  const filter = h('textarea', { name: 'filter', rows: 6, spellcheck: 'false', class: 'mono', 'aria-describedby': 'filter-help' });
  filter.value = e.filter ? JSON.stringify(e.filter, null, 2) : '';
  const sample = h('textarea', { name: 'filter-event', rows: 6, spellcheck: 'false', class: 'mono' });
  sample.value = JSON.stringify({ type: (e.eventTypes ?? ['chat.started'])[0], tenant: e.tenant, data: { customer: { tier: 'vip' } } }, null, 2);
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'filter-result' });
  const testBtn = h('button', { type: 'button', class: 'btn' }, 'Test filter');
  const saveBtn = readOnly ? null : h('button', { type: 'submit', class: 'btn btn-primary', 'data-mutates': '' }, 'Save filter');
  testBtn.addEventListener('click', async () => {
    const f = parseJson(filter.value || '{}', 'The filter', out);
    const ev = f.ok && parseJson(sample.value, 'The example event', out);
    if (!f.ok || !ev.ok) return;
    try {
      const r = await api('/v1/filters/test', { method: 'POST', body: { filter: f.value, event: ev.value } });
      replace(out, r.match ? h('p', { class: 'ok' }, 'Matches: this event would be delivered.') : h('div', null, h('p', null, h('strong', null, 'No match: '), 'no delivery would be created.'), h('ul', null, r.reasons.map((x) => h('li', { class: 'mono' }, x)))));
    } catch (err) {
      replace(out, errorBox(err, 'The filter could not be tested'));
    }
  });
  const form = h(
    'form',
    { class: 'form' },
    h('p', { class: 'muted', id: 'filter-help' }, 'Only events matching this filter get a delivery. Example: {"data.customer.tier": {"$in": ["vip", "gold"]}}. Leave empty for no filter.'),
    h('div', { class: 'grid-2' }, field('Filter (JSON)', filter), field('Example event (JSON)', sample)),
    h('div', { class: 'form-actions' }, testBtn, saveBtn),
    out,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = filter.value.trim();
    const f = text === '' ? { ok: true, value: null } : parseJson(text, 'The filter', out);
    if (!f.ok) return;
    try {
      await api(`/v1/endpoints/${e.id}`, { method: 'PATCH', body: { filter: f.value } });
      toast(f.value === null ? 'Filter removed.' : 'Filter saved.', 'ok');
      onSaved();
    } catch (err) {
      replace(out, errorBox(err, 'The filter was not saved'));
    }
  });
  return section('Content filter', form);
}

async function transformSection(e, readOnly, onSaved) {
  const current = e.transform;
  const kind = h(
    'select',
    { name: 'transform-kind' },
    [['none', 'No transform'], ['code', 'JavaScript'], ['slack', 'Slack message (preset)'], ['discord', 'Discord message (preset)'], ['teams', 'Microsoft Teams card (preset)']].map(([value, label]) => h('option', { value }, label)),
  );
  kind.value = current ? (current.preset ?? 'code') : 'none';
  const code = h('textarea', { name: 'transform-code', rows: 14, spellcheck: 'false', class: 'mono' });
  code.value = current?.code ?? EXAMPLE_CODE;
  const codeField = field('Code', code, 'Runs in a sandbox (QuickJS) with a memory and CPU cap and no I/O.');
  const sync = () => {
    codeField.hidden = kind.value !== 'code';
  };
  kind.addEventListener('change', sync);
  sync();
  const sample = h('textarea', { name: 'transform-event', rows: 5, spellcheck: 'false', class: 'mono' });
  sample.value = JSON.stringify({ type: (e.eventTypes ?? ['chat.started'])[0], data: { customer: { tier: 'vip' } } }, null, 2);
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'transform-result' });
  const chosen = () => (kind.value === 'none' ? null : kind.value === 'code' ? { code: code.value } : { preset: kind.value });
  const testBtn = h('button', { type: 'button', class: 'btn' }, 'Test transform');
  testBtn.addEventListener('click', async () => {
    const ev = parseJson(sample.value, 'The example event', out);
    if (!ev.ok) return;
    const t = chosen();
    try {
      const r = await api(`/v1/endpoints/${e.id}/transform/test`, { method: 'POST', body: { event: ev.value, ...(t ? { transform: t } : {}) } });
      const head = h('p', null, h('strong', null, `Result: ${r.result}`), ` in ${r.durationMs} ms`);
      replace(out, head, r.error ? h('pre', { class: 'mono error' }, r.error) : null, r.request ? h('pre', { class: 'mono' }, `${r.request.method} ${r.request.url}\n${Object.entries(r.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.request.json ? JSON.stringify(r.request.json, null, 2) : r.request.body}`) : null);
    } catch (err) {
      replace(out, errorBox(err, 'The transform could not be tested'));
    }
  });
  const saveBtn = readOnly ? null : h('button', { type: 'submit', class: 'btn btn-primary', 'data-mutates': '' }, 'Save transform');
  const versions = h('div');
  try {
    const v = await api(`/v1/endpoints/${e.id}/transform/versions`);
    if (v.previous.length > 0) {
      replace(versions, h('details', null, h('summary', null, `Earlier versions (${v.previous.length})`), h('ul', null, v.previous.map((p) => h('li', null, `v${p.version} · ${p.createdAt} · `, p.preset ? `preset ${p.preset}` : h('pre', { class: 'mono' }, p.code))))));
    }
  } catch {
    // Versions are a convenience; the editor works without them.
  }
  const form = h(
    'form',
    { class: 'form' },
    h('p', { class: 'muted' }, current ? `Current: version ${current.version}${current.preset ? ` (preset ${current.preset})` : ''}.` : 'No transform: deliveries carry the event as published.'),
    field('Transform', kind),
    codeField,
    field('Example event (JSON)', sample),
    h('div', { class: 'form-actions' }, testBtn, saveBtn),
    out,
    versions,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const saved = await api(`/v1/endpoints/${e.id}`, { method: 'PATCH', body: { transform: chosen() } });
      toast(saved.transform ? `Transform saved (version ${saved.transform.version}).` : 'Transform removed.', 'ok');
      onSaved();
    } catch (err) {
      replace(out, errorBox(err, 'The transform was not saved'));
    }
  });
  return section('Transform', form);
}

export async function routingSections(e, app, onSaved) {
  // Saving a filter or transform changes the endpoint: it needs both capabilities.
  const readOnly = !app.can('manage_transforms') || !app.can('manage_endpoints');
  return [filterSection(e, readOnly, onSaved), await transformSection(e, readOnly, onSaved)];
}
