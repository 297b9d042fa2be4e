// Inbound sources: each with its public ingress URL and verification scheme; admins and tenants can
// add one. The request log is on the source's own page.

import { api, isMissingRoute } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { copyButton } from '../components/copy.js';
import { createPager, empty, pageHeader } from '../components/page.js';
import { errorBox, toast } from '../components/toast.js';

export const SCHEMES = {
  'standard-webhooks': { label: 'Standard Webhooks / Svix', fields: [['secret', 'Secret (whsec_…)', true]] },
  stripe: { label: 'Stripe', fields: [['secret', 'Endpoint secret (whsec_…)', true]] },
  github: { label: 'GitHub', fields: [['secret', 'Webhook secret', true]] },
  shopify: { label: 'Shopify', fields: [['secret', 'App secret', true]] },
  hmac: {
    label: 'Generic HMAC',
    fields: [
      ['secret', 'Secret', true],
      ['header', 'Signature header', false],
      ['algorithm', 'Algorithm (sha256 or sha512)', false],
      ['encoding', 'Encoding (hex or base64)', false],
      ['prefix', 'Prefix (optional, e.g. sha256=)', false],
    ],
  },
  'api-key': {
    label: 'API key header',
    fields: [
      ['header', 'Header name', false],
      ['value', 'Expected value', true],
    ],
  },
  bearer: { label: 'Bearer token', fields: [['token', 'Token', true]] },
  basic: {
    label: 'Basic auth',
    fields: [
      ['username', 'Username', false],
      ['password', 'Password', true],
    ],
  },
  none: { label: 'None (IP allowlist only, or trusted network)', fields: [] },
};

function sourceForm(isAdmin, onSaved, onCancel) {
  const errors = h('div', { tabindex: '-1' });
  const name = h('input', { type: 'text', name: 'name', required: true, placeholder: 'stripe-production' });
  const scheme = h('select', { name: 'scheme' }, Object.entries(SCHEMES).map(([k, v]) => h('option', { value: k }, v.label)));
  const verifyBox = h('div');
  const inputs = {};
  const renderVerify = () => {
    for (const k of Object.keys(inputs)) delete inputs[k];
    replace(
      verifyBox,
      SCHEMES[scheme.value].fields.map(([key, label, secret]) => {
        const el = h('input', { type: secret ? 'password' : 'text', name: `verify-${key}`, autocomplete: 'off', spellcheck: 'false', value: key === 'algorithm' ? 'sha256' : key === 'encoding' ? 'hex' : '' });
        inputs[key] = el;
        const generated = key === 'secret' && ['standard-webhooks', 'github', 'hmac'].includes(scheme.value);
        return field(label, el, generated ? 'Leave empty to have hookd generate one (shown once).' : null);
      }),
    );
  };
  scheme.addEventListener('change', renderVerify);
  renderVerify();
  const eventType = h('input', { type: 'text', name: 'eventType', placeholder: 'chat.started  or  header:x-github-event  or  pointer:/type', spellcheck: 'false' });
  const tenant = h('input', { type: 'text', name: 'tenant' });
  const allowIps = h('input', { type: 'text', name: 'allowIps', placeholder: '203.0.113.0/24, 198.51.100.7/32' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create source');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  cancel.addEventListener('click', onCancel);
  const form = h(
    'form',
    { class: 'form card' },
    h('h2', null, 'New source'),
    errors,
    field('Name', name),
    field('Verification scheme', scheme),
    verifyBox,
    field('Event type', eventType, 'A fixed name, header:<name> to read it from a header, or pointer:/path for a JSON pointer into the body.'),
    isAdmin ? field('Tenant (optional)', tenant) : null,
    field('Allowed IPs (optional, CIDR, comma-separated)', allowIps),
    h('div', { class: 'form-actions' }, save, cancel),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const verify = { scheme: scheme.value };
    for (const [k, el] of Object.entries(inputs)) if (el.value.trim()) verify[k] = el.value.trim();
    const body = { name: name.value.trim(), verify };
    const et = eventType.value.trim();
    if (et) body.eventType = et.startsWith('header:') ? { header: et.slice(7).trim() } : et.startsWith('pointer:') ? { pointer: et.slice(8).trim() } : et;
    if (isAdmin && tenant.value.trim()) body.tenant = tenant.value.trim();
    const ips = allowIps.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (ips.length) body.allowIps = ips;
    try {
      const created = await api('/v1/sources', { method: 'POST', body });
      toast('Source created.', 'ok');
      onSaved(created);
    } catch (err) {
      replace(errors, errorBox(err, 'The source was not created'));
      errors.focus();
    }
  });
  return form;
}

export function ingressUrl(source) {
  return h('span', { class: 'ingress' }, h('code', null, source.ingressUrl), ' ', copyButton(source.ingressUrl, `Copy ingress URL of ${source.name}`));
}

export async function render(root, _params, app) {
  const formHost = h('div');
  const body = h('div', { class: 'table-wrap' });
  const add = h('button', { type: 'button', class: 'btn btn-primary' }, 'New source');
  const created = (s) => {
    // The verify secret is returned only now: show it once, with the ingress URL to give the provider.
    const secrets = Object.entries(s.verify ?? {}).filter(([k]) => k !== 'scheme');
    replace(
      formHost,
      h(
        'div',
        { class: 'alert alert-ok', role: 'status' },
        h('h2', null, `Source ${s.name} created`),
        h('p', null, 'Give the provider this ingress URL: ', ingressUrl(s)),
        secrets.length ? [h('p', null, h('strong', null, 'Verification settings (shown once, copy them now):')), h('dl', { class: 'props' }, secrets.map(([k, v]) => [h('dt', null, k), h('dd', null, h('code', { class: 'break' }, String(v)), ' ', copyButton(String(v), `Copy ${k}`))]))] : null,
        h('p', null, h('a', { href: `#/sources/${s.id}` }, 'Open the source and its request log →')),
      ),
    );
    void pager.reset();
  };
  add.addEventListener('click', () => {
    replace(
      formHost,
      sourceForm(app.isAdmin, created, () => replace(formHost)),
    );
    formHost.querySelector('input')?.focus();
  });
  const pager = createPager(async (cursor) => {
    try {
      const page = await api('/v1/sources', { query: { cursor, limit: 50 } });
      if (page.data.length === 0 && !cursor) {
        replace(body, empty('No sources yet. A source gives a provider (Stripe, GitHub, a partner) a URL to send webhooks to.'));
        return page;
      }
      replace(
        body,
        h(
          'table',
          { class: 'table' },
          h('thead', null, h('tr', null, ['Name', 'Scheme', 'Ingress URL', app.isAdmin ? 'Tenant' : null, 'Created'].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            null,
            page.data.map((s) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: `#/sources/${s.id}` }, s.name)),
                h('td', null, h('code', null, s.verify?.scheme ?? '—')),
                h('td', { class: 'cell-url' }, ingressUrl(s)),
                app.isAdmin ? h('td', null, s.tenant ?? '—') : null,
                h('td', null, timeEl(s.createdAt)),
              ),
            ),
          ),
        ),
      );
      return page;
    } catch (err) {
      replace(body, isMissingRoute(err) ? empty('Inbound sources are not available on this server version.') : errorBox(err));
      add.hidden = isMissingRoute(err);
      return null;
    }
  });
  if (!app.features.sources) {
    root.append(pageHeader('Sources', 'Inbound webhooks: verified, stored and routed to your endpoints'), empty('Inbound sources are not available on this server version.'));
    return;
  }
  root.append(pageHeader('Sources', 'Inbound webhooks: verified, stored and routed to your endpoints', add), formHost, body, pager.el);
  await pager.reset();
}
