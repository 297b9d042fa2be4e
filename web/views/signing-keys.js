// Signing keys (read-only): each tenant's ed25519 keys with their state, age, when they sign and
// retire, the next automatic rotation and the public key-set URL. Private keys are never sent to the
// dashboard; rotating is `hookd signing-keys rotate` (or POST /v1/signing-keys/rotate).

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { empty, pageHeader, section } from '../components/page.js';
import { errorBox } from '../components/toast.js';

function age(seconds) {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

const STATE_LABEL = { next: 'published, not signing yet', active: 'signing', retiring: 'signing until retired', retired: 'retired' };

function keyTable(keys) {
  return h(
    'table',
    { class: 'table' },
    h('thead', null, h('tr', null, ['Key id', 'State', 'Age', 'Signs from', 'Retires'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      null,
      keys.map((k) =>
        h(
          'tr',
          { 'data-kid': k.id },
          h('td', null, h('code', null, k.id)),
          h('td', null, STATE_LABEL[k.state] ?? k.state),
          h('td', { class: 'num' }, age(k.ageSeconds)),
          h('td', null, timeEl(k.signsFrom)),
          h('td', null, k.retiresAt ? timeEl(k.retiresAt) : h('span', { class: 'muted' }, '—')),
        ),
      ),
    ),
  );
}

export async function render(root) {
  const list = h('div', { class: 'stack' });
  root.append(pageHeader('Signing keys', 'ed25519 keys per tenant (v1a signatures) and their rotation'), list);
  try {
    const { data, policy } = await api('/v1/signing-keys');
    if (data.length === 0) {
      replace(list, empty('No signing keys yet. A tenant gets one when an endpoint uses signing "ed25519" or "both".'));
      return;
    }
    const rules = h('p', { class: 'muted small' }, `New keys are published ${policy.publishLeadSeconds} s before they sign; old and new sign together for ${policy.overlapSeconds / 3600} h; rotation every ${policy.rotationDays || '∞'} days.`);
    replace(
      list,
      rules,
      data.map((g) =>
        section(
          g.tenant ?? '(no tenant)',
          h('p', { class: 'small' }, 'Key set: ', h('code', null, g.keySetUrl)),
          h('p', { class: 'small' }, 'Next rotation: ', g.nextRotationAt ? timeEl(g.nextRotationAt) : h('span', { class: 'muted' }, 'only on request')),
          h('div', { class: 'table-wrap' }, keyTable(g.keys)),
        ),
      ),
    );
  } catch (err) {
    replace(list, errorBox(err));
  }
}
