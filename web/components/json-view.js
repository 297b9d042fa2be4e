// A small JSON syntax highlighter. It tokenises the pretty-printed text and builds text nodes inside
// <span>s, so nothing in a payload is ever parsed as HTML (no innerHTML anywhere). escapeHtml is
// exported for the one place a string must become markup text (none today; kept for callers).

import { h } from '../dom.js';
import { copyButton } from './copy.js';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false)\b|\b(null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([{}[\],])/g;

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Tokens of JSON text: [{ text, cls }] where cls is null for whitespace and unknown text. */
export function tokenizeJson(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), cls: null });
    if (m[1] !== undefined) {
      out.push({ text: m[1], cls: m[2] !== undefined ? 'j-key' : 'j-str' });
      if (m[2] !== undefined) out.push({ text: m[2], cls: 'j-punct' });
    } else if (m[3] !== undefined) out.push({ text: m[3], cls: 'j-bool' });
    else if (m[4] !== undefined) out.push({ text: m[4], cls: 'j-null' });
    else if (m[5] !== undefined) out.push({ text: m[5], cls: 'j-num' });
    else out.push({ text: m[6], cls: 'j-punct' });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), cls: null });
  return out;
}

/** Pretty JSON text of a value, or of a string that holds JSON; null when the string is not JSON. */
export function prettyJson(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return null;
    }
  }
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/**
 * A highlighted, copyable code block. `value` is any JSON value, or a string body (highlighted when
 * it parses as JSON, shown as plain text otherwise).
 */
export function jsonView(value, { label = 'JSON', copy = true, maxHeight = true } = {}) {
  const pretty = prettyJson(value);
  const text = pretty ?? String(value ?? '');
  const code = h('code', null);
  if (pretty === null) code.textContent = text;
  else for (const t of tokenizeJson(pretty)) code.appendChild(t.cls ? h('span', { class: t.cls }, t.text) : document.createTextNode(t.text));
  const pre = h('pre', { class: ['code', maxHeight && 'code-scroll'], tabindex: '0', 'aria-label': label }, code);
  return h('div', { class: 'code-block' }, copy ? h('div', { class: 'code-tools' }, copyButton(text, `Copy ${label}`)) : null, pre);
}
