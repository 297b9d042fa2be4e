// Tenant portal links (admin): a short-lived URL that opens this dashboard scoped to one tenant,
// ready to embed in an iframe in the sender's own product.

import { api, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { fmtTime } from '../format.js';
import { copyButton } from '../components/copy.js';
import { pageHeader, section } from '../components/page.js';
import { errorBox, errorMessage, toast } from '../components/toast.js';

export async function render(root) {
  const endpoints = await listAll('/v1/endpoints', {}, { cap: 1000 }).catch(() => ({ data: [] }));
  const tenants = [...new Set(endpoints.data.map((e) => e.tenant).filter(Boolean))].sort();
  const tenant = h('input', { type: 'text', name: 'tenant', required: true, list: 'tenant-list', placeholder: 'acme', autocomplete: 'off' });
  const ttl = h(
    'select',
    { name: 'ttl' },
    [
      [900, '15 minutes'],
      [3600, '1 hour'],
      [14400, '4 hours'],
      [86400, '24 hours'],
    ].map(([v, l]) => h('option', { value: String(v), selected: v === 3600 }, l)),
  );
  const out = h('div', { 'aria-live': 'polite' });
  const readOnly = h('input', { type: 'checkbox', name: 'readOnly', id: 'portal-read-only' });
  // Single-use by default: the link opens one session (the page exchanges it) and is then spent.
  const reusable = h('input', { type: 'checkbox', name: 'reusable', id: 'portal-reusable' });
  // What the link may do (checked by the API route by route; docs/operations.md "Portal capabilities").
  const CAPS = [
    ['view_secret', 'Reveal endpoint secrets'],
    ['manage_secret', 'Rotate endpoint secrets'],
    ['manage_endpoints', 'Create, change and delete endpoints'],
    ['replay', 'Retry and replay deliveries'],
    ['manage_transforms', 'Set filters and transforms'],
  ];
  const capBoxes = CAPS.map(([cap]) => h('input', { type: 'checkbox', name: cap, id: `portal-cap-${cap}`, checked: true }));
  readOnly.addEventListener('change', () => {
    for (const box of capBoxes) box.disabled = readOnly.checked;
  });
  const brandName = h('input', { type: 'text', name: 'brandName', maxlength: '64', placeholder: 'Acme webhooks' });
  const logoUrl = h('input', { type: 'url', name: 'logoUrl', maxlength: '381', placeholder: 'https://cdn.example.com/logo.svg' });
  const color = h('input', { type: 'text', name: 'primaryColor', maxlength: '7', placeholder: '#0f766e', pattern: '#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'form' },
    h('datalist', { id: 'tenant-list' }, tenants.map((t) => h('option', { value: t }))),
    h('div', { class: 'grid-2' }, field('Tenant', tenant), field('Valid for', ttl)),
    h('div', { class: 'field' }, h('label', { class: 'check', for: 'portal-read-only' }, readOnly, ' Read-only: the portal shows everything and changes nothing')),
    h('div', { class: 'field' }, h('label', { class: 'check', for: 'portal-reusable' }, reusable, ' Reusable: the link may be opened again until it expires (otherwise it opens one session only)')),
    h('fieldset', { class: 'fieldset' }, h('legend', null, 'The portal may (it can always look)'), CAPS.map(([cap, label], i) => h('div', { class: 'field' }, h('label', { class: 'check', for: `portal-cap-${cap}` }, capBoxes[i], ` ${label}`)))),
    h('fieldset', { class: 'fieldset' }, h('legend', null, 'Look (optional, signed into the link)'), h('div', { class: 'grid-3' }, field('Brand name', brandName), field('Logo URL (https)', logoUrl), field('Colour', color, '#rgb or #rrggbb'))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create portal link')),
  );
  const revokeButton = (id) => {
    const btn = h('button', { type: 'button', class: 'btn btn-danger' }, 'Revoke this link');
    btn.addEventListener('click', async () => {
      try {
        await api(`/v1/portal-links/${encodeURIComponent(id)}`, { method: 'DELETE' });
        replace(btn.parentElement ?? out, h('span', { class: 'badge badge-neutral' }, 'Revoked: the link no longer opens and its open pages lose access.'));
      } catch (err) {
        toast(errorMessage(err), 'error');
      }
    });
    return btn;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const theme = Object.fromEntries(Object.entries({ brandName: brandName.value.trim(), logoUrl: logoUrl.value.trim(), primaryColor: color.value.trim() }).filter(([, v]) => v));
      const capabilities = readOnly.checked ? undefined : ['view', ...CAPS.filter((_c, i) => capBoxes[i].checked).map(([cap]) => cap)];
      const body = { tenant: tenant.value.trim(), ttlSeconds: Number(ttl.value), singleUse: !reusable.checked, readOnly: readOnly.checked, ...(capabilities ? { capabilities } : {}), ...(Object.keys(theme).length ? { theme } : {}) };
      const link = await api('/v1/portal-links', { method: 'POST', body });
      const snippet = `<iframe src="${link.url}" title="Webhooks" width="100%" height="800" style="border:0"></iframe>`;
      replace(
        out,
        h('div', { class: 'alert alert-ok' }, h('p', null, `${link.readOnly ? 'Read-only link' : 'Link'} for tenant ${link.tenant}, ${link.singleUse ? 'single-use (it opens one session), ' : ''}valid until ${fmtTime(link.expiresAt)}:`), h('p', { class: 'break' }, h('code', null, link.url), ' ', copyButton(link.url, 'Copy portal link')), h('p', null, 'Embed it:'), h('pre', { class: 'code' }, h('code', null, snippet)), copyButton(snippet, 'Copy iframe snippet'), h('p', null, revokeButton(link.id))),
      );
    } catch (err) {
      replace(out, errorBox(err));
    }
  });
  root.append(pageHeader('Tenant portal', 'Give a customer their own view of their endpoints and deliveries'), section(null, h('p', null, 'A portal link carries a signed token that lets its holder act as the tenant until it expires: it sees and manages only that tenant’s endpoints, events and deliveries. A new link is single-use: the portal page exchanges it once for a session, so a link copied from the page or a log opens nothing. Create a fresh link each time your app shows the portal.'), form, out));
}
