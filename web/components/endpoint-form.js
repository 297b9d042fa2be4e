// The endpoint create/edit form: URL, description, tenant, event types from the catalogue, auth with
// per-type fields, custom headers, timeout, rate limit, concurrency, retry schedule, payload format.
// On edit, credentials come back redacted from the API, so auth and headers are only sent when the
// user changed them (and then their secret parts must be typed again).

import { h, field, nextId, replace } from '../dom.js';
import { errorBox } from './toast.js';

const AUTH_FIELDS = {
  none: [],
  basic: [
    ['username', 'Username', false],
    ['password', 'Password', true],
  ],
  bearer: [['token', 'Bearer token', true]],
  header: [
    ['name', 'Header name', false],
    ['value', 'Header value', true],
  ],
  oauth2: [
    ['tokenUrl', 'Token URL', false],
    ['clientId', 'Client ID', false],
    ['clientSecret', 'Client secret', true],
    ['scope', 'Scope (optional)', false],
    ['audience', 'Audience (optional)', false],
  ],
  mtls: [
    ['cert', 'Client certificate (PEM)', false],
    ['key', 'Private key (PEM)', true],
    ['ca', 'CA certificate (PEM, optional)', false],
  ],
};
const OPTIONAL = new Set(['scope', 'audience', 'ca']);
const MULTILINE = new Set(['cert', 'key', 'ca']);
export const DEFAULT_SCHEDULE = '0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400';

function input(props) {
  return h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...props });
}

/**
 * endpointForm({ endpoint?, eventTypes, isAdmin, onSubmit(body) }) -> form element. onSubmit returns
 * a promise; its rejection (an ApiError) is shown at the top of the form.
 */
export function endpointForm({ endpoint = null, eventTypes = [], isAdmin = false, defaults = null, onSubmit, onCancel }) {
  const editing = Boolean(endpoint);
  const errors = h('div', { tabindex: '-1' });
  const url = input({ name: 'url', type: 'url', required: true, value: endpoint?.url ?? '', placeholder: 'https://crm.example.com/webhooks' });
  const description = input({ name: 'description', value: endpoint?.description ?? '' });
  const tenant = input({ name: 'tenant', value: endpoint?.tenant ?? '', disabled: editing, placeholder: 'acme' });

  // Event types: all, or a chosen subset (catalogue checkboxes plus free names).
  const allId = nextId('types');
  const all = h('input', { type: 'radio', name: 'types-mode', id: allId, value: 'all', checked: !endpoint?.eventTypes });
  const someId = nextId('types');
  const some = h('input', { type: 'radio', name: 'types-mode', id: someId, value: 'some', checked: Boolean(endpoint?.eventTypes) });
  const chosen = new Set(endpoint?.eventTypes ?? []);
  const catalogueNames = eventTypes.map((t) => t.name);
  const boxes = eventTypes.map((t) => {
    const id = nextId('type');
    const box = h('input', { type: 'checkbox', id, value: t.name, checked: chosen.has(t.name) });
    return h('label', { class: 'check', for: id, title: t.description ?? '' }, box, ' ', h('code', null, t.name));
  });
  const extraTypes = input({ name: 'extraTypes', value: [...chosen].filter((n) => !catalogueNames.includes(n)).join(', '), placeholder: 'endpoint.disabled, delivery.exhausted' });
  const typePicker = h('div', { class: 'type-picker' }, boxes.length ? h('div', { class: 'checks' }, boxes) : h('p', { class: 'muted' }, 'The catalogue is empty; type names below.'), field('Other event types (comma-separated)', extraTypes));
  const syncTypes = () => (typePicker.hidden = !some.checked);
  all.addEventListener('change', syncTypes);
  some.addEventListener('change', syncTypes);
  syncTypes();

  // Auth.
  let authTouched = !editing;
  const authType = h(
    'select',
    { name: 'authType' },
    Object.keys(AUTH_FIELDS).map((t) => h('option', { value: t, selected: (endpoint?.auth?.type ?? 'none') === t }, { none: 'None', basic: 'Basic', bearer: 'Bearer token', header: 'API key header', oauth2: 'OAuth2 client credentials', mtls: 'Mutual TLS' }[t])),
  );
  const authBox = h('div', { class: 'auth-fields' });
  const authInputs = {};
  const renderAuth = () => {
    const type = authType.value;
    const fields = AUTH_FIELDS[type];
    for (const k of Object.keys(authInputs)) delete authInputs[k];
    replace(
      authBox,
      fields.map(([key, label, secret]) => {
        const current = endpoint?.auth?.type === type ? endpoint.auth[key] : null;
        const props = { name: `auth-${key}`, required: !OPTIONAL.has(key) && !(editing && secret && !authTouched) };
        let control;
        if (MULTILINE.has(key)) control = h('textarea', { ...props, rows: 4, spellcheck: 'false' });
        else control = input({ ...props, type: secret ? 'password' : 'text' });
        if (current && current !== '[redacted]') control.value = current;
        if (secret && editing) control.placeholder = 'unchanged (type a new value to replace)';
        control.addEventListener('input', () => (authTouched = true));
        authInputs[key] = control;
        return field(label, control);
      }),
    );
  };
  authType.addEventListener('change', () => {
    authTouched = true;
    renderAuth();
  });
  renderAuth();

  // Custom headers.
  let headersTouched = !editing;
  const headerRows = h('div', { class: 'header-rows' });
  const addHeader = (name = '', value = '') => {
    const n = input({ 'aria-label': 'Header name', value: name, placeholder: 'x-tenant' });
    const v = input({ 'aria-label': 'Header value', value, placeholder: 'value' });
    const remove = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': 'Remove header' }, 'Remove');
    const row = h('div', { class: 'header-row' }, n, v, remove);
    for (const el of [n, v]) el.addEventListener('input', () => (headersTouched = true));
    remove.addEventListener('click', () => {
      headersTouched = true;
      row.remove();
    });
    headerRows.appendChild(row);
    return n;
  };
  for (const [k, v] of Object.entries(endpoint?.headers ?? {})) addHeader(k, v);
  const addHeaderBtn = h('button', { type: 'button', class: 'btn btn-small' }, 'Add header');
  addHeaderBtn.addEventListener('click', () => {
    headersTouched = true;
    addHeader().focus();
  });

  // A new endpoint starts from the server's own default (HOOKD_DEFAULT_TIMEOUT_MS), not a constant.
  const timeout = input({ name: 'timeout', type: 'number', min: '1', max: '60', step: '0.1', value: endpoint ? String(endpoint.timeoutMs / 1000) : defaults?.timeoutMs ? String(defaults.timeoutMs / 1000) : '', placeholder: 'server default' });
  const rate = input({ name: 'rate', type: 'number', min: '1', max: '100000', step: '1', value: endpoint?.rateLimitPerSecond ?? '', placeholder: 'unlimited' });
  const concurrency = input({ name: 'concurrency', type: 'number', min: '1', max: '1000', step: '1', value: endpoint?.maxConcurrency ?? '', placeholder: defaults?.maxConcurrency ? `server default (${defaults.maxConcurrency})` : 'server default' });
  const schedule = input({ name: 'schedule', value: endpoint?.retrySchedule?.join(', ') ?? '', placeholder: DEFAULT_SCHEDULE });
  const format = h('select', { name: 'payloadFormat' }, h('option', { value: 'envelope', selected: endpoint?.payloadFormat !== 'raw' }, 'Envelope {type, timestamp, data}'), h('option', { value: 'raw', selected: endpoint?.payloadFormat === 'raw' }, 'Raw (data only / inbound bytes)'));
  const secret = input({ name: 'secret', placeholder: 'leave empty to generate a whsec_ secret' });
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: true, id: nextId('enabled') });

  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, editing ? 'Save changes' : 'Create endpoint');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  cancel.addEventListener('click', () => onCancel?.());

  const form = h(
    'form',
    { class: 'form', novalidate: true },
    errors,
    h('fieldset', null, h('legend', null, 'Destination'), field('URL', url, 'Where hookd POSTs the webhooks, or a broker: amqp(s)://host/vhost?exchange=X&routingKey=K, nats://host/subject, mqtt(s)://host/topic, redis(s)://host?stream=S (credentials go in Basic auth below).'), field('Description', description), isAdmin ? field('Tenant', tenant, editing ? 'The tenant cannot be changed.' : 'Optional: only this tenant’s events reach the endpoint.') : null),
    h(
      'fieldset',
      null,
      h('legend', null, 'Event types'),
      h('div', { class: 'radios' }, h('label', { for: allId }, all, ' All event types'), h('label', { for: someId }, some, ' Only the types I choose')),
      typePicker,
    ),
    h('fieldset', null, h('legend', null, 'Authentication to the destination'), field('Type', authType, 'Sent in addition to the webhook signature.'), authBox),
    h('fieldset', null, h('legend', null, 'Custom headers'), headerRows, addHeaderBtn),
    h(
      'fieldset',
      null,
      h('legend', null, 'Delivery'),
      h('div', { class: 'grid-3' }, field('Timeout (seconds)', timeout), field('Rate limit (requests/s)', rate), field('Max concurrency', concurrency)),
      field('Retry schedule (seconds after each attempt)', schedule, `Empty: the default schedule (${DEFAULT_SCHEDULE}).`),
      field('Payload format', format),
      editing ? null : field('Signing secret', secret),
      editing ? null : h('label', { class: 'check', for: enabled.id }, enabled, ' Enabled'),
    ),
    h('div', { class: 'form-actions' }, submit, cancel),
  );

  function fail(message) {
    replace(errors, errorBox({ message, title: 'Check the form' }));
    errors.focus();
    return null;
  }

  function collect() {
    const body = {};
    if (!url.value.trim()) return fail('The URL is required.');
    body.url = url.value.trim();
    body.description = description.value.trim() || null;
    if (!editing && isAdmin && tenant.value.trim()) body.tenant = tenant.value.trim();
    if (some.checked) {
      const picked = [...typePicker.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
      const extra = extraTypes.value.split(',').map((t) => t.trim()).filter(Boolean);
      const types = [...new Set([...picked, ...extra])];
      if (types.length === 0) return fail('Choose at least one event type, or "All event types".');
      body.eventTypes = types;
    } else body.eventTypes = null;
    if (authTouched) {
      const auth = { type: authType.value };
      for (const [key, el] of Object.entries(authInputs)) {
        const v = el.value.trim();
        if (!v && !OPTIONAL.has(key)) return fail(`Authentication: ${key} is required (type it again to change the authentication).`);
        if (v) auth[key] = key === 'cert' || key === 'key' || key === 'ca' ? el.value : v;
      }
      body.auth = auth;
    }
    if (headersTouched) {
      const headers = {};
      for (const row of headerRows.querySelectorAll('.header-row')) {
        const [n, v] = row.querySelectorAll('input');
        if (!n.value.trim()) continue;
        if (v.value === '[redacted]') return fail(`Header ${n.value}: its value is hidden; type it again.`);
        headers[n.value.trim()] = v.value;
      }
      body.headers = headers;
    }
    if (timeout.value.trim() || editing) {
      const t = Number(timeout.value);
      if (!timeout.value.trim() || !Number.isFinite(t) || t < 1 || t > 60) return fail('The timeout must be 1 to 60 seconds.');
      body.timeoutMs = Math.round(t * 1000);
    }
    body.rateLimitPerSecond = rate.value ? Number(rate.value) : null;
    if (concurrency.value) body.maxConcurrency = Number(concurrency.value);
    if (schedule.value.trim()) {
      const steps = schedule.value.split(/[\s,]+/).filter(Boolean).map(Number);
      if (steps.some((n) => !Number.isInteger(n) || n < 0)) return fail('The retry schedule is a list of whole seconds, e.g. 0, 5, 300.');
      body.retrySchedule = steps;
    } else body.retrySchedule = null;
    body.payloadFormat = format.value;
    if (!editing) {
      if (secret.value.trim()) body.secret = secret.value.trim();
      body.enabled = enabled.checked;
    }
    return body;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(errors);
    const body = collect();
    if (!body) return;
    submit.disabled = true;
    try {
      await onSubmit(body);
    } catch (err) {
      replace(errors, errorBox(err, 'The endpoint was not saved'));
      errors.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
