// Sign-in with an API key. The key is checked against the server (GET /v1/meta/whoami) and kept in
// sessionStorage: it is gone when the tab closes.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { errorBox } from '../components/toast.js';

export function renderSignIn(root, { onSignedIn, message }) {
  const errors = h('div', { tabindex: '-1' });
  const key = h('input', { type: 'password', name: 'apiKey', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'hk_…' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin-card', 'aria-labelledby': 'signin-title' },
    h('div', { class: 'brand brand-large', 'aria-hidden': 'true' }, 'hookd'),
    h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in to the dashboard'),
    message ? h('div', { class: 'alert alert-error', role: 'alert' }, message) : null,
    errors,
    field('API key', key, 'An admin key sees every tenant; a tenant key sees only its own endpoints, events and deliveries. The key stays in this browser tab only.'),
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    replace(errors);
    const value = key.value.trim();
    if (!value) {
      replace(errors, errorBox({ title: 'API key required', message: 'Paste an API key (hookd prints the first admin key when it starts on an empty database).' }));
      key.focus();
      return;
    }
    submit.disabled = true;
    try {
      const principal = await api('/v1/meta/whoami', { key: value });
      onSignedIn(value, principal);
    } catch (err) {
      replace(errors, errorBox(err.status === 401 ? { title: 'Key not accepted', message: 'That API key is unknown or revoked.' } : err, 'Could not sign in'));
      key.select();
    } finally {
      submit.disabled = false;
    }
  });
  replace(root, h('main', { class: 'signin', id: 'main' }, form));
  key.focus();
}
