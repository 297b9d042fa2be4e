// Accessible tabs (WAI-ARIA tabs pattern): arrow keys, Home and End move between tabs; the chosen
// tab is kept in the URL (?tab=) so it survives a reload and can be linked. Every panel is built
// once and only hidden, so a half-filled form keeps its input when the user looks elsewhere.

import { h, nextId } from '../dom.js';

/** tabs([{ id, label, content }], { selected, onSelect }) -> { el, select(id) } */
export function tabs(defs, { selected, onSelect } = {}) {
  const base = nextId('tabs');
  const buttons = [];
  const panels = [];
  const select = (id, focus = false) => {
    const i = Math.max(0, defs.findIndex((d) => d.id === id));
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (focus) buttons[i].focus();
    onSelect?.(defs[i].id);
  };
  for (const [i, d] of defs.entries()) {
    const tabId = `${base}-tab-${d.id}`;
    const panelId = `${base}-panel-${d.id}`;
    const b = h('button', { type: 'button', role: 'tab', id: tabId, class: 'tab', 'aria-controls': panelId, dataset: { tab: d.id } }, d.label);
    b.addEventListener('click', () => select(d.id));
    b.addEventListener('keydown', (ev) => {
      const n = defs.length;
      const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
      if (to === undefined) return;
      ev.preventDefault();
      select(defs[to].id, true);
    });
    buttons.push(b);
    panels.push(h('div', { role: 'tabpanel', id: panelId, class: 'tab-panel', 'aria-labelledby': tabId, tabindex: '0' }, d.content));
  }
  const el = h('div', { class: 'tabbed' }, h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Sections' }, buttons), panels);
  select(selected ?? defs[0].id);
  return { el, select };
}

/** Keep ?tab= in the current hash without a navigation (replaceState fires no hashchange). */
export function rememberTab(id, fallback) {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  if (id === fallback) params.delete('tab');
  else params.set('tab', id);
  const text = params.toString();
  history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
}
