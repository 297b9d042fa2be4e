// Ordered delivery per key (docs/routing.md, "Ordering"): the endpoint's blocked keys, each with
// Retry (send the head again), Skip (leave it failed, send the next) and Release (cancel what waits).

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { fmtTime } from '../format.js';
import { codeTag } from './codes.js';
import { confirmDialog } from './dialog.js';
import { section } from './page.js';
import { errorBox, errorMessage, toast } from './toast.js';

const DONE = { retry: 'Head re-queued.', skip: 'Head skipped: the next delivery of the key goes.', release: 'Key released.' };

export function blockedKeys(e, { readOnly = false } = {}) {
  const body = h('div', { 'data-blocked-keys': '' }, h('p', { class: 'loading' }, 'Loading…'));
  const act = async (key, action, button) => {
    if (action === 'release') {
      const ok = await confirmDialog({
        title: `Release key ${key}?`,
        message: h('p', null, 'Every delivery waiting on this key is cancelled (code ordering_released) and the key is unblocked. A delivery being sent finishes.'),
        confirmLabel: 'Release key',
        danger: true,
      });
      if (!ok) return;
    }
    button.disabled = true;
    try {
      const r = await api(`/v1/endpoints/${e.id}/ordering/${action}`, { method: 'POST', body: { key } });
      toast(action === 'release' ? `${DONE.release} ${r.cancelled} waiting deliveries cancelled.` : DONE[action], 'ok');
      await load();
    } catch (err) {
      toast(errorMessage(err), 'error');
      button.disabled = false;
    }
  };
  const actions = (k) =>
    readOnly
      ? null
      : ['retry', 'skip', 'release'].map((action) => {
          const b = h('button', { type: 'button', 'data-mutates': '', 'data-action': action, class: ['btn', 'btn-small', action === 'release' ? 'btn-danger' : action === 'skip' ? 'btn-warn' : null].filter(Boolean) }, action[0].toUpperCase() + action.slice(1));
          b.addEventListener('click', () => void act(k.key, action, b));
          return b;
        });
  async function load() {
    try {
      const page = await api(`/v1/endpoints/${e.id}/ordering/blocked`, { query: { limit: 50 } });
      if (page.data.length === 0) {
        replace(body, h('p', { class: 'muted' }, 'No blocked keys: every ordered key is flowing.'));
        return;
      }
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table' },
            h('thead', null, h('tr', null, ['Key', 'Head', 'Last result', 'Waiting', 'Blocked since', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'visually-hidden' }, 'Actions'))))),
            h(
              'tbody',
              null,
              page.data.map((k) =>
                h(
                  'tr',
                  { 'data-key': k.key },
                  h('td', null, h('code', null, k.key)),
                  h('td', { class: 'nowrap' }, h('a', { href: `#/deliveries/${k.deliveryId}`, class: 'mono' }, k.deliveryId)),
                  h('td', null, k.lastStatus ? h('span', { class: 'mono' }, `${k.lastStatus} `) : null, codeTag(k.lastCode)),
                  h('td', { class: 'num' }, String(k.waiting)),
                  h('td', { class: 'nowrap' }, fmtTime(k.blockedAt)),
                  h('td', { class: 'nowrap cell-actions' }, actions(k)),
                ),
              ),
            ),
          ),
        ),
        page.nextCursor ? h('p', { class: 'muted' }, 'Showing the first 50 blocked keys (hookd endpoints ordering blocked lists them all).') : null,
      );
    } catch (err) {
      replace(body, errorBox(err));
    }
  }
  const el = section(
    'Blocked ordering keys',
    h('p', { class: 'muted' }, `A key whose head exhausted its retries waits here (ordering on exhaustion: ${e.ordering?.onExhausted ?? 'block'}). Other keys keep flowing.`),
    body,
  );
  return { el, load };
}
