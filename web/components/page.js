// Page scaffolding shared by the views: the heading (focused after navigation), sections, loading
// and empty states, and a cursor pager.

import { h, replace } from '../dom.js';
import { errorBox } from './toast.js';

export function pageHeader(title, subtitle, ...actions) {
  return h(
    'header',
    { class: 'page-header' },
    h('div', null, h('h1', { tabindex: '-1', class: 'page-title' }, title), subtitle ? h('p', { class: 'page-subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null,
  );
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, children);
}

export function loading(label = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, label);
}

export function empty(message, ...extra) {
  return h('div', { class: 'empty' }, h('p', null, message), extra);
}

/** Render `fn()`'s nodes into `el`, with a loading state and an error box on failure. */
export async function fill(el, fn) {
  replace(el, loading());
  try {
    replace(el, await fn());
  } catch (err) {
    if (err?.name === 'AbortError') return;
    replace(el, errorBox(err));
  }
}

/**
 * Cursor pagination (the API is cursor-based, so "previous" is a stack of the cursors seen).
 * `load(cursor)` returns a page { data, nextCursor }.
 */
export function createPager(load) {
  const stack = [undefined];
  let next = null;
  const prevBtn = h('button', { type: 'button', class: 'btn' }, '← Newer');
  const nextBtn = h('button', { type: 'button', class: 'btn' }, 'Older →');
  const label = h('span', { class: 'muted' });
  const el = h('nav', { class: 'pager', 'aria-label': 'Pagination' }, prevBtn, label, nextBtn);
  const update = () => {
    prevBtn.disabled = stack.length <= 1;
    nextBtn.disabled = !next;
    label.textContent = `Page ${stack.length}`;
  };
  const go = async (cursor) => {
    const page = await load(cursor);
    next = page?.nextCursor ?? null;
    update();
  };
  prevBtn.addEventListener('click', () => {
    if (stack.length > 1) stack.pop();
    void go(stack[stack.length - 1]);
  });
  nextBtn.addEventListener('click', () => {
    if (!next) return;
    stack.push(next);
    void go(next);
  });
  return {
    el,
    reset: () => {
      stack.length = 1;
      return go(undefined);
    },
    reload: () => go(stack[stack.length - 1]),
    get onFirstPage() {
      return stack.length === 1;
    },
  };
}

/** Debounce for live refreshes. */
export function debounce(fn, ms) {
  let t = null;
  const wrapped = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(t);
  return wrapped;
}

/** Filters in a disclosure: open on wide screens, closed on phones (they would fill the screen). */
export function filterBox(form, activeCount = 0) {
  const wide = window.matchMedia('(min-width: 701px)').matches;
  return h('details', { class: 'filters-box', open: wide || activeCount > 0 }, h('summary', null, 'Filters'), form);
}
