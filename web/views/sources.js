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
  const consume = consumeFields();
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
    consume.el,
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
    const c = consume.value();
    if (c) body.consume = c;
    try {
      const created = await api('/v1/sources', { method: 'POST', body });
      toast('Source created.', 'ok');
      onSaved(created);
    } catch (err) {
      // Field errors go next to their field (once each); only what names no field stays on top.
      const controls = { '/body/name': name, '/body/eventType': eventType, '/body/tenant': tenant, '/body/allowIps': allowIps, '/body/verify/scheme': scheme, ...consume.controls('/body/consume') };
      for (const [k, el] of Object.entries(inputs)) controls[`/body/verify/${k}`] = el;
      const rest = showFieldErrors(form, controls, err.errors ?? []);
      replace(errors, errorBox(rest.length === (err.errors ?? []).length ? err : { ...err, message: 'Fix the fields marked below.', errors: rest }, 'The source was not created'));
      (form.querySelector('[aria-invalid="true"]') ?? errors).focus();
    }
  });
  return form;
}

/**
 * The broker a source consumes from (docs/destinations.md, "Broker sources"): URL and credentials,
 * which the server seals and reads back only as "[redacted]". value() is null when the URL is empty.
 */
export function consumeFields(current = null) {
  const url = h('input', { type: 'text', name: 'consumeUrl', spellcheck: 'false', autocomplete: 'off', value: current?.url ?? '', placeholder: 'redis://host:6379/0?stream=orders&group=hookd' });
  const username = h('input', { type: 'text', name: 'consumeUsername', autocomplete: 'off', value: current?.username ?? '' });
  const password = h('input', { type: 'password', name: 'consumePassword', autocomplete: 'new-password', placeholder: current?.password ? 'unchanged only if given again' : '' });
  const el = h(
    'fieldset',
    null,
    h('legend', null, 'Consume from a broker (optional)'),
    field('Broker URL', url, 'redis://host/DB?stream=S&group=G, amqp://host/vhost?queue=Q, nats://host/subject?stream=S&durable=D or mqtt://host/topic/%23?client=ID. Credentials go below, not in the URL.'),
    field('Broker user (optional)', username),
    field('Broker password or token (optional, sealed)', password),
  );
  return {
    el,
    url,
    value() {
      const u = url.value.trim();
      if (!u) return null;
      const out = { url: u };
      if (username.value.trim()) out.username = username.value.trim();
      if (password.value) out.password = password.value;
      return out;
    },
    controls: (prefix) => ({ [`${prefix}/url`]: url, [`${prefix}/username`]: username, [`${prefix}/password`]: password, [prefix]: url }),
  };
}

/** Marks each control that has errors and puts its messages (deduplicated) under it; returns the rest. */
function showFieldErrors(form, controls, fieldErrors) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const byControl = new Map();
  const rest = [];
  for (const e of fieldErrors) {
    const el = controls[e.path];
    if (!el) rest.push(e);
    else byControl.set(el, [...new Set([...(byControl.get(el) ?? []), e.message])]);
  }
  for (const [el, messages] of byControl) {
    const id = `${el.id}-error`;
    el.setAttribute('aria-invalid', 'true');
    const described = new Set((el.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    described.add(id);
    el.setAttribute('aria-describedby', [...described].join(' '));
    el.insertAdjacentElement('afterend', h('p', { class: 'field-error', id }, messages.join('; ')));
  }
  return rest;
}

export function ingressUrl(source) {
  return h('span', { class: 'ingress' }, h('code', null, source.ingressUrl), ' ', copyButton(source.ingressUrl, `Copy ingress URL of ${source.name}`));
}

export async function render(root, _params, app) {
  const formHost = h('div');
  const body = h('div', { class: 'table-wrap' });
  const add = h('button', { type: 'button', 'data-mutates': '', class: 'btn btn-primary' }, 'New source');
  // The one-time settings live in their own slot: opening another form, or creating a second source,
  // must not wipe a secret the user has not copied yet. Only "Dismiss" removes a panel.
  const secretsHost = h('div', { class: 'stack' });
  const created = (s) => {
    replace(formHost);
    const secrets = Object.entries(s.verify ?? {}).filter(([k]) => k !== 'scheme');
    const dismiss = h('button', { type: 'button', class: 'btn btn-small' }, secrets.length ? 'I have copied them: dismiss' : 'Dismiss');
    const panel = h(
      'div',
      { class: 'alert alert-ok one-time', role: 'status' },
      h('h2', null, `Source ${s.name} created`),
      h('p', null, 'Give the provider this ingress URL: ', ingressUrl(s)),
      secrets.length ? [h('p', null, h('strong', null, 'Verification settings (shown once, copy them now):')), h('dl', { class: 'props' }, secrets.map(([k, v]) => [h('dt', null, k), h('dd', null, h('code', { class: 'break' }, String(v)), ' ', copyButton(String(v), `Copy ${k}`))]))] : null,
      h('p', null, h('a', { href: `#/sources/${s.id}` }, 'Open the source and its request log →')),
      h('div', { class: 'form-actions' }, dismiss),
    );
    dismiss.addEventListener('click', () => panel.remove());
    secretsHost.prepend(panel);
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
          h('thead', null, h('tr', null, ['Name', 'Scheme', 'Ingress URL', 'Consumes', app.isAdmin ? 'Tenant' : null, 'Created'].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
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
                h('td', { class: 'cell-url' }, s.consume ? h('code', null, s.consume.url) : '—'),
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
  root.append(pageHeader('Sources', 'Inbound webhooks: verified, stored and routed to your endpoints', add), secretsHost, formHost, body, pager.el);
  await pager.reset();
}
