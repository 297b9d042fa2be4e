// Attempt and doctor codes with their plain-language explanation (GET /v1/meta/codes), loaded once.

import { api } from '../api.js';
import { h } from '../dom.js';

let table = null;
let loading = null;

export async function loadCodes() {
  if (table) return table;
  loading ??= api('/v1/meta/codes')
    .then((codes) => (table = codes))
    .catch(() => (table = {}))
    .finally(() => (loading = null));
  return loading;
}

export function codeInfo(code) {
  return (table && code && table[code]) || null;
}

/** A code tag whose explanation is in its title (hover) and accessible description. */
export function codeTag(code) {
  if (!code) return h('span', { class: 'muted' }, '—');
  const info = codeInfo(code);
  return h('code', { class: ['code-tag', code === 'ok' ? 'code-ok' : 'code-bad'], title: info ? info.summary : code }, code);
}

/** The explanation block: what the code means and how to fix it. */
export function codeExplanation(code) {
  const info = codeInfo(code);
  if (!code || !info) return null;
  return h(
    'div',
    { class: ['explain', code === 'ok' ? 'explain-ok' : 'explain-bad'] },
    h('p', null, h('strong', null, 'What happened: '), info.summary),
    code === 'ok' ? null : h('p', null, h('strong', null, 'How to fix it: '), info.fix),
  );
}
