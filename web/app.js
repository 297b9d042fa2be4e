// The dashboard shell and router. Hash routes (#/endpoints/ep_…) so the static server needs no
// fallback route; each view module exports render(root, params, app) and may return a cleanup.
// Two modes: the operator dashboard at / (sign in with an API key), and the tenant portal at
// /portal?token=… (signed in by the link's token, scoped to one tenant, embeddable in an iframe).

import { api, ApiError, clearKey, getKey, setKey } from './api.js';
import { h, replace } from './dom.js';
import { createStream } from './stream.js';
import { loadCodes } from './components/codes.js';
import { errorBox } from './components/toast.js';
import { renderSignIn } from './views/sign-in.js';

/** The capabilities a portal link may carry (src/core/portal-capabilities.ts). */
const PORTAL_CAPABILITIES = ['view', 'view_secret', 'manage_secret', 'manage_endpoints', 'replay', 'manage_transforms'];

const ROUTES = [
  { path: /^\/overview$/, load: () => import('./views/overview.js'), title: 'Overview', nav: 'overview' },
  { path: /^\/endpoints$/, load: () => import('./views/endpoints.js'), title: 'Endpoints', nav: 'endpoints' },
  { path: /^\/endpoints\/new$/, load: () => import('./views/endpoint-edit.js'), title: 'New endpoint', nav: 'endpoints', mutates: 'manage_endpoints' },
  { path: /^\/endpoints\/(?<id>[^/?]+)\/edit$/, load: () => import('./views/endpoint-edit.js'), title: 'Edit endpoint', nav: 'endpoints', mutates: 'manage_endpoints' },
  { path: /^\/endpoints\/(?<id>[^/?]+)$/, load: () => import('./views/endpoint-detail.js'), title: 'Endpoint', nav: 'endpoints' },
  { path: /^\/events$/, load: () => import('./views/events.js'), title: 'Events', nav: 'events' },
  { path: /^\/events\/(?<id>[^/?]+)$/, load: () => import('./views/event-detail.js'), title: 'Event', nav: 'events' },
  { path: /^\/pull-vs-push$/, load: () => import('./views/pull-vs-push.js'), title: 'Pull vs push', nav: 'events' },
  { path: /^\/deliveries$/, load: () => import('./views/deliveries.js'), title: 'Deliveries', nav: 'deliveries' },
  { path: /^\/deliveries\/(?<id>[^/?]+)$/, load: () => import('./views/delivery-detail.js'), title: 'Delivery', nav: 'deliveries' },
  { path: /^\/event-types$/, load: () => import('./views/event-types.js'), title: 'Event types', nav: 'event-types' },
  { path: /^\/sources$/, load: () => import('./views/sources.js'), title: 'Sources', nav: 'sources' },
  { path: /^\/sources\/(?<id>[^/?]+)$/, load: () => import('./views/source-detail.js'), title: 'Source', nav: 'sources' },
  { path: /^\/signing-keys$/, load: () => import('./views/signing-keys.js'), title: 'Signing keys', nav: 'signing-keys' },
  { path: /^\/portal-links$/, load: () => import('./views/portal-links.js'), title: 'Tenant portal', nav: 'portal-links', admin: true },
  { path: /^\/api-keys$/, load: () => import('./views/api-keys.js'), title: 'API keys', nav: 'api-keys', admin: true },
  { path: /^\/audit$/, load: () => import('./views/audit.js'), title: 'Audit log', nav: 'audit' },
  { path: /^\/alerts$/, load: () => import('./views/alerts.js'), title: 'Alerts', nav: 'alerts', noPortal: true },
  { path: /^\/bins$/, load: () => import('./views/bins.js'), title: 'Request bins', nav: 'bins', noPortal: true },
  { path: /^\/bins\/(?<id>[^/?]+)$/, load: () => import('./views/bins.js'), title: 'Request bin', nav: 'bins', noPortal: true },
];

const NAV = [
  ['overview', 'Overview'],
  ['endpoints', 'Endpoints'],
  ['events', 'Events'],
  ['deliveries', 'Deliveries'],
  ['event-types', 'Event types'],
  ['sources', 'Sources'],
  ['signing-keys', 'Signing keys'],
  ['portal-links', 'Tenant portal', true],
  ['api-keys', 'API keys', true],
  ['audit', 'Audit log'],
  // Neither is a portal action (the routes are not in portal-route-table.ts), so a portal session
  // is not shown them: alerts are an operator's and a tenant key's, bins a developer tool of API keys.
  ['alerts', 'Alerts', false, true],
  ['bins', 'Request bins', false, true],
];

const root = document.getElementById('app');
const isPortal = location.pathname === '/portal';
let app = null;
let cleanup = null;
let renderToken = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

/**
 * A portal's colours, from its signed token (already validated: #rgb or #rrggbb). Set through the
 * CSSOM, which the CSP's style-src 'self' allows, unlike inline style attributes.
 */
function applyTheme(theme) {
  const color = theme?.primaryColor;
  if (!color || !/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(color)) return;
  const hex = color.length === 4 ? color.slice(1).replace(/./g, '$&$&') : color.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  // Text on the colour: black or white, whichever contrasts more (relative luminance, roughly).
  const light = 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55;
  document.documentElement.style.setProperty('--accent', color);
  document.documentElement.style.setProperty('--accent-text', light ? '#0d1117' : '#ffffff');
}

function shell(principal, stream) {
  const liveDot = h('span', { class: 'live', 'data-state': 'idle' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), h('span', { class: 'live-text' }, 'Connecting'));
  stream.onState((state) => {
    liveDot.dataset.state = state;
    liveDot.lastChild.textContent = { live: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting', idle: 'Offline' }[state] ?? state;
  });
  const navList = h(
    'ul',
    null,
    NAV.filter(([, , adminOnly, noPortal]) => (!adminOnly || principal.role === 'admin') && !(noPortal && isPortal)).map(([key, label]) => h('li', null, h('a', { href: `#/${key}`, 'data-nav': key }, label))),
  );
  const nav = h('nav', { id: 'nav', class: 'nav', 'aria-label': 'Main' }, navList);
  const toggle = h('button', { type: 'button', class: 'btn nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav' }, 'Menu');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
  });
  // Closed on every route change (a link in the page, back/forward, a redirect), not only on a click
  // in the menu itself: the open menu must never cover the page it led to.
  const closeNav = () => {
    toggle.setAttribute('aria-expanded', 'false');
    nav.classList.remove('open');
  };
  // A click on the page already shown changes no hash, so it closes the menu itself.
  nav.addEventListener('click', (e) => e.target.closest('a') && closeNav());
  const who = principal.role === 'admin' ? h('span', { class: 'who-role' }, 'Admin') : h('span', { class: 'who-role who-tenant' }, `Tenant: ${principal.tenant}`);
  const signOut = isPortal
    ? null
    : h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small btn-ghost',
          onClick: () => {
            clearKey();
            location.hash = '#/overview';
            location.reload();
          },
        },
        'Sign out',
      );
  const skip = h('a', { class: 'skip', href: '#main' }, 'Skip to content');
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const options = isPortal ? principal.portalOptions : null;
  const theme = options?.theme ?? null;
  applyTheme(theme);
  document.body.classList.toggle('read-only', Boolean(options?.readOnly));
  // A portal hides the controls its link's capabilities do not grant (the API refuses them too):
  // `[data-mutates="<capability>"]` is hidden under `.no-cap-<capability>`, and a bare
  // `[data-mutates]` (publishing, sources, keys: routes no portal may call) under `.portal`.
  document.body.classList.toggle('portal', isPortal);
  for (const cap of PORTAL_CAPABILITIES) document.body.classList.toggle(`no-cap-${cap}`, isPortal && !(options?.capabilities ?? []).includes(cap));
  const brand = h(
    'a',
    { class: 'brand', href: '#/overview' },
    theme?.logoUrl ? h('img', { class: 'brand-logo', src: theme.logoUrl, alt: '' }) : null,
    theme?.brandName ?? 'hookd',
    isPortal ? h('span', { class: 'brand-sub' }, ' webhooks') : null,
  );
  const mode = options?.readOnly ? h('span', { class: 'badge badge-neutral read-only-badge', title: 'This link can show everything but change nothing.' }, 'Read-only') : null;
  replace(root, skip, h('header', { class: 'topbar' }, brand, toggle, nav, h('div', { class: 'who' }, liveDot, mode, who, signOut)), main);
  return { main, navList, closeNav };
}

async function route(focus = true) {
  const token = ++renderToken;
  const { path, query } = parseHash();
  if (!path.startsWith('/')) return;
  const match = ROUTES.map((r) => ({ r, m: r.path.exec(path) })).find((x) => x.m && (!x.r.admin || app.isAdmin) && !(x.r.noPortal && isPortal));
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // A view's cleanup failing must not block navigation.
    }
    cleanup = null;
  }
  app.closeNav();
  const container = h('div', { class: 'view' });
  replace(app.main, container);
  for (const a of app.navList.querySelectorAll('a')) {
    if (match && a.dataset.nav === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    document.title = 'Not found · hookd';
    container.append(h('h1', { tabindex: '-1' }, 'Page not found'), h('p', null, h('a', { href: '#/overview' }, 'Go to the overview')));
    return;
  }
  if (match.r.mutates && !app.can(match.r.mutates)) {
    document.title = app.readOnly ? 'Read-only · hookd' : 'Not allowed · hookd';
    container.append(
      h('h1', { tabindex: '-1' }, app.readOnly ? 'This portal is read-only' : 'This portal link cannot do this'),
      h('p', null, app.readOnly ? 'This link shows everything and changes nothing. ' : 'Ask for a link that allows it. ', h('a', { href: '#/overview' }, 'Go to the overview')),
    );
    return;
  }
  document.title = `${match.r.title} · hookd`;
  try {
    const mod = await match.r.load();
    if (token !== renderToken) return;
    const result = await mod.render(container, { ...(match.m.groups ?? {}), query }, app);
    if (token !== renderToken) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
  } catch (err) {
    if (token !== renderToken) return;
    const notFound = err instanceof ApiError && err.status === 404;
    replace(container, h('h1', { tabindex: '-1' }, notFound ? 'Not found' : match.r.title), errorBox(err, notFound ? 'Not found' : 'Could not load this page'));
  }
  if (focus && token === renderToken) container.querySelector('h1')?.focus({ preventScroll: false });
}

function start(principal) {
  const stream = createStream();
  const { main, navList, closeNav } = shell(principal, stream);
  app = {
    principal,
    features: principal.features ?? {},
    isAdmin: principal.role === 'admin',
    isPortal,
    // A read-only portal link: views leave out what changes things ([data-mutates] is hidden too).
    readOnly: Boolean(principal.portalOptions?.readOnly),
    // What this session may do: every capability for API keys, the link's for a portal.
    can: (cap) => !isPortal || (principal.portalOptions?.capabilities ?? []).includes(cap),
    stream,
    main,
    navList,
    closeNav,
    navigate: (hash) => {
      if (location.hash === hash) void route();
      else location.hash = hash;
    },
    reload: () => void route(false),
  };
  stream.start();
  window.addEventListener('hashchange', () => void route());
  void route(false);
}

function showSignIn(message) {
  app?.stream.stop();
  app = null;
  if (isPortal) {
    replace(root, h('main', { class: 'signin', id: 'main' }, h('div', { class: 'card signin-card' }, h('h1', null, 'This portal link is not valid'), h('p', null, message ?? 'Ask for a new link to continue.'))));
    return;
  }
  renderSignIn(root, {
    message,
    onSignedIn: (key, principal) => {
      setKey(key);
      void loadCodes();
      start(principal);
    },
  });
}

window.addEventListener('hookd:unauthorized', () => {
  if (!app) return;
  clearKey();
  showSignIn('Your session ended: the key was rejected (revoked, or the portal link expired).');
});

/** The link id signed into a portal token (read only to match a link with its session; the server checks). */
function portalLinkId(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).j ?? null;
  } catch {
    return null;
  }
}

/**
 * The portal link in the URL is exchanged for a session (once, for a single-use link); the session
 * is kept like an API key and the token leaves the address bar, so a reload keeps the session. A
 * reload of the original link in the same tab finds that link's session already open.
 */
async function openPortalSession(token) {
  const held = getKey();
  const linkId = portalLinkId(token);
  if (held?.startsWith('portal_') && linkId !== null && portalLinkId(held.slice('portal_'.length)) === linkId) {
    history.replaceState(null, '', `/portal${location.hash}`);
    return true;
  }
  try {
    const session = await api('/v1/portal/session', { method: 'POST', key: `portal_${token}` });
    setKey(`portal_${session.token}`);
    history.replaceState(null, '', `/portal${location.hash}`);
    return true;
  } catch (err) {
    clearKey();
    if (err instanceof ApiError && err.status === 401) showSignIn(err.message);
    else replace(root, h('main', { class: 'signin', id: 'main' }, h('div', { class: 'card signin-card' }, errorBox(err, 'The server could not be reached'))));
    return false;
  }
}

async function boot() {
  if (isPortal) {
    const token = new URLSearchParams(location.search).get('token');
    if (token) {
      const signedIn = await openPortalSession(token);
      if (!signedIn) return;
    }
  }
  if (!getKey()) return showSignIn();
  try {
    const principal = await api('/v1/meta/whoami');
    await loadCodes();
    start(principal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showSignIn(isPortal ? err.message || 'The link is no longer valid.' : null);
    replace(root, h('main', { class: 'signin', id: 'main' }, h('div', { class: 'card signin-card' }, errorBox(err, 'The server could not be reached'))));
  }
}

void boot();
