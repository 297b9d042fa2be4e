// The event type catalogue: each type with its description, JSON Schema and example. Admins can add,
// replace and delete types.

import { api, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { confirmDialog } from '../components/dialog.js';
import { jsonView } from '../components/json-view.js';
import { empty, pageHeader, section } from '../components/page.js';
import { errorBox, errorMessage, toast } from '../components/toast.js';

function parseJsonField(label, text) {
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: { title: `${label} is not valid JSON`, message: err.message } };
  }
}

function typeForm(existing, onSaved, onCancel) {
  const errors = h('div', { tabindex: '-1' });
  const name = h('input', { type: 'text', name: 'name', required: true, pattern: '[a-zA-Z0-9_.\\-]{1,128}', value: existing?.name ?? '', disabled: Boolean(existing), placeholder: 'chat.started', spellcheck: 'false' });
  const description = h('input', { type: 'text', name: 'description', value: existing?.description ?? '' });
  const schema = h('textarea', { name: 'schema', rows: 8, class: 'mono', spellcheck: 'false', placeholder: '{"type": "object", "required": ["chatId"], "properties": {"chatId": {"type": "string"}}}' });
  schema.value = existing?.schema ? JSON.stringify(existing.schema, null, 2) : '';
  const example = h('textarea', { name: 'example', rows: 6, class: 'mono', spellcheck: 'false', placeholder: '{"chatId": "c_123"}' });
  example.value = existing?.example !== null && existing?.example !== undefined ? JSON.stringify(existing.example, null, 2) : '';
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, existing ? 'Save' : 'Add event type');
  const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
  cancel.addEventListener('click', onCancel);
  const form = h('form', { class: 'form card' }, h('h2', null, existing ? `Edit ${existing.name}` : 'New event type'), errors, field('Name', name, 'Letters, digits, dot, dash and underscore.'), field('Description', description), h('div', { class: 'grid-2' }, field('JSON Schema (2020-12)', schema), field('Example payload', example)), h('div', { class: 'form-actions' }, save, cancel));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const s = parseJsonField('The schema', schema.value);
    const x = parseJsonField('The example', example.value);
    if (!s.ok || !x.ok) {
      replace(errors, errorBox(s.ok ? x.error : s.error));
      errors.focus();
      return;
    }
    const body = { description: description.value.trim() || null, schema: s.value ?? null };
    if (x.value !== undefined) body.example = x.value;
    try {
      await api(`/v1/event-types/${encodeURIComponent(existing?.name ?? name.value.trim())}`, { method: 'PUT', body });
      toast('Event type saved.', 'ok');
      onSaved();
    } catch (err) {
      replace(errors, errorBox(err, 'Not saved'));
      errors.focus();
    }
  });
  return form;
}

export async function render(root, _params, app) {
  const formHost = h('div');
  const list = h('div', { class: 'stack' });
  const addBtn = app.isAdmin ? h('button', { type: 'button', class: 'btn btn-primary' }, 'New event type') : null;
  const load = async () => {
    try {
      const { data } = await listAll('/v1/event-types', {}, { cap: 1000 });
      if (data.length === 0) {
        replace(list, empty('The catalogue is empty. Events of any type are accepted unless HOOKD_REQUIRE_EVENT_TYPES is set.'));
        return;
      }
      replace(
        list,
        data.map((t) => {
          const edit = app.isAdmin ? h('button', { type: 'button', class: 'btn btn-small' }, 'Edit') : null;
          const del = app.isAdmin ? h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Delete…') : null;
          // The same data as `hookd trigger`: the example, else one generated from the schema.
          const trigger = h('button', { type: 'button', class: 'btn btn-small', 'data-mutates': '', title: 'Publish the example (or one generated from the schema)' }, 'Trigger');
          trigger.addEventListener('click', async () => {
            trigger.disabled = true;
            try {
              const sample = await api(`/v1/event-types/${encodeURIComponent(t.name)}/sample`);
              const body = { type: t.name, data: sample.data };
              const published = await api('/v1/events', { method: 'POST', body });
              toast(`Triggered ${published.id} (data from the ${sample.source}) to ${published.deliveries} endpoint${published.deliveries === 1 ? '' : 's'}.`, 'ok');
            } catch (err) {
              toast(errorMessage(err), 'error');
            } finally {
              trigger.disabled = false;
            }
          });
          edit?.addEventListener('click', () => showForm(t));
          del?.addEventListener('click', async () => {
            if (!(await confirmDialog({ title: `Delete ${t.name}?`, message: h('p', null, 'Events of this type are still accepted (unless types are required), but no longer validated.'), confirmLabel: 'Delete', danger: true }))) return;
            try {
              await api(`/v1/event-types/${encodeURIComponent(t.name)}`, { method: 'DELETE' });
              toast(`${t.name} deleted.`, 'ok');
              void load();
            } catch (err) {
              toast(errorMessage(err), 'error');
            }
          });
          return section(
            null,
            h('div', { class: 'type-head' }, h('h2', { class: 'type-name' }, h('code', null, t.name)), h('div', { class: 'page-actions' }, trigger, edit, del)),
            h('p', null, t.description ?? h('span', { class: 'muted' }, 'No description.')),
            h('p', { class: 'muted small' }, 'Updated ', timeEl(t.updatedAt)),
            h('div', { class: 'grid-2' }, h('details', null, h('summary', null, 'Schema'), t.schema ? jsonView(t.schema, { label: `${t.name} schema` }) : h('p', { class: 'muted' }, 'No schema: any JSON is accepted.')), h('details', { open: true }, h('summary', null, 'Example'), t.example !== null ? jsonView(t.example, { label: `${t.name} example` }) : h('p', { class: 'muted' }, 'No example.'))),
          );
        }),
      );
    } catch (err) {
      replace(list, errorBox(err));
    }
  };
  const showForm = (existing) => {
    replace(
      formHost,
      typeForm(
        existing,
        () => {
          replace(formHost);
          void load();
        },
        () => replace(formHost),
      ),
    );
    formHost.querySelector('input:not([disabled]), textarea')?.focus();
  };
  addBtn?.addEventListener('click', () => showForm(null));
  root.append(pageHeader('Event types', 'The catalogue: names, schemas and examples', addBtn), formHost, list);
  await load();
}
