// HTTP headers as a definition table (credentials arrive already redacted by the server).

import { h } from '../dom.js';

export function headersTable(headers, caption) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return h('p', { class: 'muted' }, `${caption}: none`);
  return h(
    'table',
    { class: 'table table-compact headers' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Header'), h('th', { scope: 'col' }, 'Value'))),
    h(
      'tbody',
      null,
      entries.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, h('code', null, k)), h('td', null, h('code', { class: v === '[redacted]' ? 'redacted' : null }, String(v))))),
    ),
  );
}
