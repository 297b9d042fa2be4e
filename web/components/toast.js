// Status messages: toasts for the sighted, the same text in an aria-live region for screen readers.

import { h } from '../dom.js';

export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Clearing first makes a repeated identical message be read again.
  region.textContent = '';
  setTimeout(() => (region.textContent = message), 30);
}

export function toast(message, kind = 'info') {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : null }, message);
  host.appendChild(el);
  if (kind !== 'error') announce(message);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** An ApiError (or any error) as a readable message, with field errors listed. */
export function errorMessage(err) {
  if (!err) return 'Unknown error';
  const fields = Array.isArray(err.errors) && err.errors.length ? ` (${err.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})` : '';
  return `${err.message}${fields}`;
}

/** An inline error box for a page or form. */
export function errorBox(err, title = 'Something went wrong') {
  // A field error that only repeats the detail is not printed a second time.
  const fields = Array.isArray(err?.errors) ? err.errors.filter((e) => e.message !== err.message) : [];
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert' },
    h('strong', null, err?.title || title),
    h('p', null, err?.message ?? String(err)),
    fields.length ? h('ul', null, fields.map((e) => h('li', null, h('code', null, e.path), ' ', e.message))) : null,
    err?.code ? h('p', { class: 'muted' }, 'Code: ', h('code', null, err.code)) : null,
  );
}
