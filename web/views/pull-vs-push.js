// Pull vs push: the same events read two ways. On the left this page is a polling consumer of the
// pull feed (GET /v1/events?after=<cursor>&wait=20, a long-poll); on the right are the push
// deliveries hookd makes to endpoints, as their attempts stream in. The table below lines them up per
// event, so the delay and the difference (the consumer asks; hookd sends) are visible.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { fmtMs, fmtTime, httpBadge, shortId } from '../format.js';
import { codeTag } from '../components/codes.js';
import { pageHeader, section } from '../components/page.js';
import { errorMessage, toast } from '../components/toast.js';

const MAX_ROWS = 100;

export async function render(root, _params, app) {
  const head = await api('/v1/meta/recent-events', { query: { limit: 1 } });
  let cursor = head.headCursor;
  let controller = null;
  let running = false;
  const byEvent = new Map();

  const pullLog = h('ol', { class: 'log', 'aria-label': 'Pull requests' });
  const pushLog = h('ol', { class: 'log', 'aria-label': 'Push attempts' });
  const compareBody = h('tbody');
  const cursorEl = h('code', null, cursor);
  const startBtn = h('button', { type: 'button', class: 'btn btn-primary', 'aria-pressed': 'false' }, 'Start polling');
  const waitInput = h('input', { type: 'number', min: '0', max: '30', value: '20', name: 'wait' });
  const typeInput = h('input', { type: 'text', name: 'sample-type', value: 'hookd.demo', spellcheck: 'false' });
  const publishBtn = h('button', { type: 'button', 'data-mutates': '', class: 'btn' }, 'Publish a sample event');

  const entry = (id) => {
    if (!byEvent.has(id)) {
      const pulled = h('td', null, h('span', { class: 'muted' }, 'not pulled yet'));
      const pushed = h('td', null, h('span', { class: 'muted' }, 'no attempt yet'));
      const published = h('td');
      const name = h('td', null, h('a', { href: `#/events/${id}`, class: 'mono' }, shortId(id)));
      const tr = h('tr', null, name, published, pulled, pushed);
      compareBody.insertBefore(tr, compareBody.firstChild);
      while (compareBody.children.length > MAX_ROWS) compareBody.lastChild.remove();
      byEvent.set(id, { tr, name, published, pulled, pushed, createdAt: null, attempts: [] });
    }
    return byEvent.get(id);
  };
  const since = (createdAt, at) => (createdAt ? ` (+${fmtMs(new Date(at).getTime() - new Date(createdAt).getTime())})` : '');
  const prepend = (list, item) => {
    list.insertBefore(item, list.firstChild);
    while (list.children.length > MAX_ROWS) list.lastChild.remove();
  };

  async function poll() {
    while (running) {
      controller = new AbortController();
      const started = Date.now();
      const asked = cursor;
      try {
        const page = await api('/v1/events', { query: { after: cursor, wait: waitInput.value || 0, limit: 100 }, signal: controller.signal });
        const at = new Date().toISOString();
        cursor = page.nextCursor;
        cursorEl.textContent = cursor;
        prepend(
          pullLog,
          h(
            'li',
            { class: page.data.length ? 'log-hit' : 'log-empty' },
            h('div', null, h('code', null, `GET /v1/events?after=${shortId(asked)}&wait=${waitInput.value}`), ` → ${page.data.length} event${page.data.length === 1 ? '' : 's'} in ${fmtMs(Date.now() - started)}`),
            page.data.map((e) => h('div', { class: 'small' }, h('code', null, e.type), ' ', h('span', { class: 'mono muted' }, shortId(e.id)))),
          ),
        );
        for (const e of page.data) {
          const row = entry(e.id);
          row.createdAt = e.createdAt;
          replace(row.name, h('a', { href: `#/events/${e.id}` }, h('code', null, e.type)), ' ', h('span', { class: 'mono muted' }, shortId(e.id)));
          replace(row.published, fmtTime(e.createdAt));
          replace(row.pulled, `${fmtTime(at)}${since(e.createdAt, at)}`);
        }
      } catch (err) {
        if (err?.name === 'AbortError') return;
        prepend(pullLog, h('li', { class: 'log-error' }, `Poll failed: ${errorMessage(err)}; retrying in 2 s`));
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  startBtn.addEventListener('click', () => {
    running = !running;
    startBtn.textContent = running ? 'Stop polling' : 'Start polling';
    startBtn.setAttribute('aria-pressed', String(running));
    if (running) void poll();
    else controller?.abort();
  });
  publishBtn.addEventListener('click', async () => {
    try {
      const r = await api('/v1/events', { method: 'POST', body: { type: typeInput.value.trim() || 'hookd.demo', data: { message: 'Sample event from the pull vs push view', at: new Date().toISOString() } } });
      toast(`Published ${shortId(r.id)} to ${r.deliveries} endpoint${r.deliveries === 1 ? '' : 's'}.`, 'ok');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });

  const offs = [
    app.stream.on('event.published', (m) => {
      const row = entry(m.id);
      row.createdAt ??= m.createdAt;
      replace(row.name, h('a', { href: `#/events/${m.id}` }, h('code', null, m.type)), ' ', h('span', { class: 'mono muted' }, shortId(m.id)));
      replace(row.published, fmtTime(m.createdAt));
    }),
    app.stream.on('attempt.recorded', (m) => {
      prepend(pushLog, h('li', { class: m.code === 'ok' ? 'log-hit' : 'log-error' }, h('div', null, h('code', null, `POST → ${shortId(m.endpointId)}`), ' ', httpBadge(m.responseStatus), ' ', codeTag(m.code), ` ${fmtMs(m.durationMs)}`), h('div', { class: 'small mono muted' }, shortId(m.eventId))));
      const row = entry(m.eventId);
      row.attempts.push(m);
      replace(
        row.pushed,
        row.attempts.map((a) => h('div', null, h('a', { href: `#/deliveries/${a.deliveryId}` }, httpBadge(a.responseStatus)), ' ', codeTag(a.code), ` ${fmtTime(a.createdAt)}${since(row.createdAt, a.createdAt)}`)),
      );
    }),
  ];

  root.append(
    pageHeader('Pull vs push', 'The same events, polled from the feed and pushed as webhooks'),
    section(
      null,
      h('p', null, h('strong', null, 'Pull: '), 'a consumer that cannot expose an endpoint asks ', h('code', null, 'GET /v1/events?after=<cursor>'), ' and keeps the returned ', h('code', null, 'nextCursor'), '. With ', h('code', null, 'wait'), ' the request long-polls until an event arrives. ', h('strong', null, 'Push: '), 'hookd POSTs each event to every subscribed endpoint at once and retries on failure.'),
      h('div', { class: 'toolbar' }, startBtn, field('Long-poll wait (s)', waitInput), field('Sample type', typeInput), publishBtn),
      h('p', { class: 'muted small' }, 'Feed position: ', cursorEl),
    ),
    h('div', { class: 'grid-2 grid-top' }, section('Pull: feed requests', pullLog), section('Push: webhook attempts', pushLog)),
    section('Side by side', h('div', { class: 'table-wrap' }, h('table', { class: 'table' }, h('thead', null, h('tr', null, ['Event', 'Published', 'Pulled (delay)', 'Pushed (delay)'].map((t) => h('th', { scope: 'col' }, t)))), compareBody))),
  );
  // Start as a consumer would: polling from the current end of the feed.
  startBtn.click();
  return () => {
    running = false;
    controller?.abort();
    for (const off of offs) off();
  };
}
