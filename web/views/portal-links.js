// Tenant portal links (admin): a short-lived URL that opens this dashboard scoped to one tenant,
// ready to embed in an iframe in the sender's own product.

import { api, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { copyButton } from '../components/copy.js';
import { pageHeader, section } from '../components/page.js';
import { errorBox } from '../components/toast.js';

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
  const form = h('form', { class: 'form' }, h('datalist', { id: 'tenant-list' }, tenants.map((t) => h('option', { value: t }))), h('div', { class: 'grid-2' }, field('Tenant', tenant), field('Valid for', ttl)), h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create portal link')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const link = await api('/v1/portal-links', { method: 'POST', body: { tenant: tenant.value.trim(), ttlSeconds: Number(ttl.value) } });
      const snippet = `<iframe src="${link.url}" title="Webhooks" width="100%" height="800" style="border:0"></iframe>`;
      replace(
        out,
        h('div', { class: 'alert alert-ok' }, h('p', null, `Link for tenant ${link.tenant}, valid until ${new Date(link.expiresAt).toLocaleString()}:`), h('p', { class: 'break' }, h('code', null, link.url), ' ', copyButton(link.url, 'Copy portal link')), h('p', null, 'Embed it:'), h('pre', { class: 'code' }, h('code', null, snippet)), copyButton(snippet, 'Copy iframe snippet')),
      );
    } catch (err) {
      replace(out, errorBox(err));
    }
  });
  root.append(pageHeader('Tenant portal', 'Give a customer their own view of their endpoints and deliveries'), section(null, h('p', null, 'A portal link carries a signed token that lets its holder act as the tenant until it expires: it sees and manages only that tenant’s endpoints, events and deliveries. Create a fresh link each time your app shows the portal.'), form, out));
}
