// Copy-to-clipboard button with an announced result.

import { h } from '../dom.js';
import { announce } from './toast.js';

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (insecure context, iframe without permission): select-and-copy fallback.
    const area = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    let ok;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

export function copyButton(textOrFn, label = 'Copy') {
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': label }, 'Copy');
  btn.addEventListener('click', async () => {
    const ok = await copyText(typeof textOrFn === 'function' ? textOrFn() : textOrFn);
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    announce(ok ? 'Copied to the clipboard.' : 'Could not copy; select the text and copy it by hand.');
    setTimeout(() => (btn.textContent = 'Copy'), 1500);
  });
  return btn;
}
