// API keys (admin only): who can call the API. Create an admin or tenant-scoped key (the key itself is
// shown once, in a panel that stays until dismissed), see when each was last used, revoke one.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { copyButton } from '../components/copy.js';
import { confirmDialog } from '../components/dialog.js';
import { createPager, pageHeader, section } from '../components/page.js';
import { errorBox, errorMessage, toast } from '../components/toast.js';

export async function render(root) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '256', placeholder: 'billing service' });
  const tenant = h('input', { type: 'text', name: 'tenant', maxlength: '128', placeholder: 'empty: an admin key', autocomplete: 'off' });
  const problem = h('div');
  const created = h('div', { class: 'stack' });
  const form = h(
    'form',
    { class: 'form', 'aria-label': 'Create an API key' },
    h('div', { class: 'grid-2' }, field('Name', name), field('Tenant (optional)', tenant, 'With a tenant the key sees and manages only that tenant; without one it is an admin key.')),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create API key')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(problem);
    try {
      const body = { name: name.value.trim(), ...(tenant.value.trim() ? { tenant: tenant.value.trim() } : {}) };
      const k = await api('/v1/api-keys', { method: 'POST', body });
      const dismiss = h('button', { type: 'button', class: 'btn btn-small' }, 'I have copied it: dismiss');
      const panel = h(
        'div',
        { class: 'alert alert-ok one-time', role: 'status' },
        h('h2', null, `Key ${k.name ?? k.id} created`),
        h('p', null, h('strong', null, 'Copy it now: it is shown only once. '), k.role === 'admin' ? 'This is an admin key.' : `Scoped to tenant ${k.tenant}.`),
        h('p', { class: 'secret-row' }, h('code', { class: 'secret' }, k.key), ' ', copyButton(k.key, 'Copy API key')),
        h('div', { class: 'form-actions' }, dismiss),
      );
      dismiss.addEventListener('click', () => panel.remove());
      created.prepend(panel);
      form.reset();
      void pager.reset();
    } catch (err) {
      replace(problem, errorBox(err, 'The key was not created'));
    }
  });

  const body = h('div', { class: 'table-wrap' });
  const pager = createPager(async (cursor) => {
    try {
      const page = await api('/v1/api-keys', { query: { cursor, limit: 50 } });
      replace(
        body,
        page.data.length === 0
          ? h('p', { class: 'muted empty-note' }, 'No API keys yet besides the bootstrap admin key.')
          : h(
              'table',
              { class: 'table' },
              h('thead', null, h('tr', null, ['Name', 'Role', 'Key', 'Created', 'Last used', 'State', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions'))))),
              h(
                'tbody',
                null,
                page.data.map((k) => {
                  const revoked = Boolean(k.revokedAt);
                  const revoke = revoked ? null : h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Revoke key ${k.name ?? k.id}` }, 'Revoke…');
                  revoke?.addEventListener('click', async () => {
                    const ok = await confirmDialog({ title: `Revoke ${k.name ?? k.id}?`, message: h('p', null, 'Every request with this key is refused from now on, and its open live streams are closed. This cannot be undone.'), confirmLabel: 'Revoke key', danger: true });
                    if (!ok) return;
                    try {
                      await api(`/v1/api-keys/${k.id}`, { method: 'DELETE' });
                      toast(`Key ${k.name ?? k.id} revoked.`, 'ok');
                      void pager.reload();
                    } catch (err) {
                      toast(errorMessage(err), 'error');
                    }
                  });
                  return h(
                    'tr',
                    { 'data-key': k.id, class: revoked ? 'row-muted' : null },
                    h('td', null, h('span', { class: 'trunc', title: k.name ?? '' }, k.name ?? h('span', { class: 'muted' }, 'unnamed'))),
                    h('td', null, k.role === 'admin' ? h('span', { class: 'badge badge-warn' }, 'admin') : h('span', { class: 'badge badge-neutral' }, `tenant ${k.tenant}`)),
                    h('td', { class: 'nowrap' }, h('code', null, `${k.prefix ?? ''}…`)),
                    h('td', { class: 'nowrap' }, timeEl(k.createdAt)),
                    h('td', { class: 'nowrap' }, k.lastUsedAt ? timeEl(k.lastUsedAt) : h('span', { class: 'muted' }, 'never')),
                    h('td', null, revoked ? h('span', { class: 'badge badge-failed' }, 'Revoked') : h('span', { class: 'badge badge-succeeded' }, 'Active')),
                    h('td', { class: 'nowrap cell-actions' }, revoke),
                  );
                }),
              ),
            ),
      );
      return page;
    } catch (err) {
      replace(body, errorBox(err));
      return null;
    }
  });
  root.append(pageHeader('API keys', 'Who may call the API: admin keys, and keys scoped to one tenant'), created, section('New key', problem, form), body, pager.el);
  await pager.reset();
}
