// One endpoint: settings, 24 h stats, signing secret (reveal, copy, rotate), enable/disable with the
// reason, send a test event, run the doctor, recover failed deliveries, and its recent deliveries.

import { blockedKeys } from '../components/blocked-keys.js';
import { urlText } from '../components/endpoint-label.js';
import { endpointTraffic } from '../components/endpoint-traffic.js';
import { openInspector } from '../components/delivery-inspector.js';
import { rememberTab, tabs } from '../components/tabs.js';
import { api, isMissingRoute, listAll } from '../api.js';
import { h, field, replace } from '../dom.js';
import { endpointState, fmtCount, fmtMs, fmtPct, fmtTime, fromLocalInput, toLocalInput } from '../format.js';
import { attemptDetail, attemptSummary } from '../components/attempts.js';
import { codeTag } from '../components/codes.js';
import { copyText } from '../components/copy.js';
import { confirmDialog } from '../components/dialog.js';
import { doctorReport } from '../components/doctor-report.js';
import { deliveriesTable } from '../components/deliveries-table.js';
import { debounce, pageHeader, section } from '../components/page.js';
import { errorBox, errorMessage, toast } from '../components/toast.js';
import { routingSections } from './endpoint-routing.js';

const DISABLED_WHY = {
  gone: 'The receiver answered 410 Gone, so hookd stopped sending and cancelled pending deliveries.',
  failing: 'Every delivery failed for longer than the failing period, so hookd disabled the endpoint.',
  manual: 'Someone disabled this endpoint.',
};

function dl(pairs) {
  return h('dl', { class: 'props' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function settings(e, isAdmin) {
  const auth = e.auth ?? { type: 'none' };
  const authText = auth.type === 'none' ? 'none' : `${auth.type}${auth.username ? ` (${auth.username})` : ''}${auth.name ? ` (${auth.name})` : ''}${auth.tokenUrl ? ` (${auth.tokenUrl})` : ''}`;
  return dl([
    ['ID', h('code', null, e.id)],
    ['Description', e.description ?? '—'],
    isAdmin ? ['Tenant', e.tenant ?? '—'] : null,
    ['Event types', e.eventTypes ? e.eventTypes.map((t) => h('code', { class: 'chip' }, t)) : 'all'],
    ['Authentication', authText],
    ['Custom headers', Object.keys(e.headers ?? {}).length ? Object.entries(e.headers).map(([k, v]) => h('div', null, h('code', null, `${k}: ${v}`))) : 'none'],
    ['Timeout', fmtMs(e.timeoutMs)],
    ['Rate limit', e.rateLimitPerSecond ? `${e.rateLimitPerSecond}/s` : 'unlimited'],
    ['Max concurrency', String(e.maxConcurrency)],
    ['Retry schedule', e.retrySchedule ? `${e.retrySchedule.join(', ')} s` : 'default'],
    ['Payload format', e.payloadFormat],
    ['Ordered keys, on exhaustion', e.ordering?.onExhausted ?? 'block'],
  ]);
}

function secretSection(e) {
  const value = h('code', { class: 'secret', 'aria-live': 'polite' }, 'whsec_••••••••••••••••');
  const previous = h('div');
  let revealed = null;
  const reveal = h('button', { type: 'button', class: 'btn', 'data-mutates': 'view_secret', 'aria-pressed': 'false' }, 'Reveal');
  const rotate = h('button', { type: 'button', 'data-mutates': 'manage_secret', class: 'btn btn-warn' }, 'Rotate…');
  const show = (secret, prev) => {
    revealed = secret;
    value.textContent = secret;
    reveal.textContent = 'Hide';
    reveal.setAttribute('aria-pressed', 'true');
    replace(previous, prev?.length ? h('p', { class: 'muted' }, `Older secret${prev.length > 1 ? 's' : ''} still signing until `, prev.map((p) => fmtTime(p.expiresAt)).join(', '), '.') : null);
  };
  reveal.addEventListener('click', async () => {
    if (revealed) {
      revealed = null;
      value.textContent = 'whsec_••••••••••••••••';
      reveal.textContent = 'Reveal';
      reveal.setAttribute('aria-pressed', 'false');
      return;
    }
    try {
      const s = await api(`/v1/endpoints/${e.id}/secret`);
      show(s.secret, s.previous);
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });
  const copy = h('button', { type: 'button', class: 'btn', 'aria-label': 'Copy signing secret' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      // Copy without showing it on screen when it is hidden.
      const secret = revealed ?? (await api(`/v1/endpoints/${e.id}/secret`)).secret;
      const ok = await copyText(secret);
      toast(ok ? 'Secret copied to the clipboard.' : 'Could not copy; reveal the secret and copy it by hand.', ok ? 'ok' : 'error');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });
  rotate.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Rotate the signing secret?',
      message: h('p', null, 'A new secret is generated. The current one keeps signing alongside it for the grace period (24 h by default), so receivers can switch over without rejecting webhooks.'),
      confirmLabel: 'Rotate secret',
    });
    if (!ok) return;
    try {
      const r = await api(`/v1/endpoints/${e.id}/rotate-secret`, { method: 'POST', body: {} });
      const s = await api(`/v1/endpoints/${e.id}/secret`);
      show(r.secret, s.previous);
      toast('Secret rotated. Update your receiver before the old one expires.', 'ok');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });
  return section('Signing secret', h('p', { class: 'muted' }, 'Receivers verify the webhook-signature header with this secret (Standard Webhooks).'), h('div', { class: 'secret-row' }, value, reveal, copy, rotate), previous);
}

async function testSection(e, onSent) {
  const types = await listAll('/v1/event-types', {}, { cap: 500 }).catch(() => ({ data: [] }));
  const typeSelect = h('select', { name: 'test-type' }, h('option', { value: 'hookd.test' }, 'hookd.test (sample)'), types.data.map((t) => h('option', { value: t.name }, t.name)));
  const payload = h('textarea', { name: 'test-payload', rows: 6, spellcheck: 'false', class: 'mono' });
  const fillExample = () => {
    const t = types.data.find((x) => x.name === typeSelect.value);
    payload.value = JSON.stringify(t?.example ?? { message: 'This is a test event from hookd.', endpointId: e.id }, null, 2);
  };
  typeSelect.addEventListener('change', fillExample);
  fillExample();
  const result = h('div', { 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send test event');
  const form = h('form', { class: 'form' }, h('div', { class: 'grid-2' }, field('Event type', typeSelect), field('Payload (JSON)', payload)), h('div', { class: 'form-actions' }, send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let data;
    try {
      data = JSON.parse(payload.value);
    } catch (err) {
      replace(result, errorBox({ title: 'Invalid JSON', message: err.message }));
      return;
    }
    send.disabled = true;
    replace(result, h('p', { class: 'loading' }, 'Sending…'));
    try {
      const r = await api(`/v1/endpoints/${e.id}/test`, { method: 'POST', body: { type: typeSelect.value, data } });
      onSent();
      replace(
        result,
        r.attempt
          ? h('div', { class: 'test-result' }, h('p', null, h('strong', null, 'Response: '), attemptSummary(r.attempt), ' ', h('a', { href: `#/deliveries/${r.deliveryId}` }, 'Open delivery')), attemptDetail(r.attempt))
          : h('p', null, 'The test delivery was queued: ', h('a', { href: `#/deliveries/${r.deliveryId}` }, r.deliveryId)),
      );
    } catch (err) {
      replace(result, errorBox(err, 'The test was not sent'));
    } finally {
      send.disabled = false;
    }
  });
  return section('Send a test event', form, result);
}

function doctorSection(e, available) {
  if (!available) return section('Doctor', h('p', { class: 'muted' }, 'The doctor is not available on this server version.'));
  const out = h('div', { 'aria-live': 'polite' });
  const run = h('button', { type: 'button', 'data-mutates': 'manage_endpoints', class: 'btn btn-primary' }, 'Run diagnosis');
  run.addEventListener('click', async () => {
    run.disabled = true;
    replace(out, h('p', { class: 'loading', role: 'status' }, 'Diagnosing: DNS, TCP, TLS, HTTP, auth, payload, latency, logs…'));
    try {
      replace(out, doctorReport(await api(`/v1/endpoints/${e.id}/diagnose`, { method: 'POST', body: {} })));
    } catch (err) {
      replace(out, isMissingRoute(err) ? h('p', { class: 'muted' }, 'The doctor is not available on this server version.') : errorBox(err, 'The diagnosis failed'));
    } finally {
      run.disabled = false;
    }
  });
  return section('Doctor', h('p', { class: 'muted' }, 'Checks every step a webhook takes to this endpoint and explains what fails and how to fix it.'), run, out);
}

function recoverSection(e, onDone) {
  const since = h('input', { type: 'datetime-local', name: 'since', required: true, value: toLocalInput(new Date(Date.now() - 86400000)) });
  const until = h('input', { type: 'datetime-local', name: 'until' });
  const go = h('button', { type: 'submit', class: 'btn btn-warn' }, 'Recover…');
  const form = h('form', { class: 'form' }, h('div', { class: 'grid-2' }, field('Failed since', since), field('Until (optional)', until, 'Empty: until now.')), h('div', { class: 'form-actions' }, go));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const s = fromLocalInput(since.value);
    const u = fromLocalInput(until.value);
    if (!s) return toast('Choose a start time.', 'error');
    go.disabled = true;
    try {
      // Count first, so the confirmation states how many deliveries it affects.
      const [failed, cancelled] = await Promise.all(['failed', 'cancelled'].map((status) => listAll('/v1/deliveries', { endpoint: e.id, status, since: s, until: u })));
      const n = failed.data.length + cancelled.data.length;
      const more = failed.truncated || cancelled.truncated ? ' or more' : '';
      if (n === 0) {
        toast('No failed or cancelled deliveries in that window.', 'info');
        return;
      }
      const ok = await confirmDialog({
        title: 'Recover failed deliveries?',
        message: h('p', null, `This re-queues ${n}${more} deliver${n === 1 ? 'y' : 'ies'} (${failed.data.length} failed, ${cancelled.data.length} cancelled) created between ${fmtTime(s)} and ${u ? fmtTime(u) : 'now'}. Each is sent again with a fresh retry schedule.`),
        confirmLabel: `Recover ${n} deliveries`,
      });
      if (!ok) return;
      const r = await api(`/v1/endpoints/${e.id}/recover`, { method: 'POST', body: { since: s, ...(u ? { until: u } : {}) } });
      toast(`${r.recovered} deliveries re-queued.${r.endpointEnabled ? '' : ' The endpoint is disabled: enable it to send them.'}`, 'ok');
      onDone();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      go.disabled = false;
    }
  });
  return section('Recover failed deliveries', h('p', { class: 'muted' }, 'Re-queue this endpoint’s failed and cancelled deliveries from a time window (for example after fixing an outage).'), form);
}

export async function render(root, params, app) {
  const e = await api(`/v1/endpoints/${params.id}`);
  const stateEl = h('span', null, endpointState(e));
  const toggle = h('button', { type: 'button', 'data-mutates': 'manage_endpoints', class: ['btn', e.enabled ? 'btn-warn' : 'btn-primary'] }, e.enabled ? 'Disable' : 'Enable');
  const del = h('button', { type: 'button', 'data-mutates': 'manage_endpoints', class: 'btn btn-danger' }, 'Delete…');
  const banner = h('div');
  const showBanner = (ep) => replace(banner, ep.enabled ? null : h('div', { class: 'alert alert-error', role: 'status' }, h('strong', null, `Disabled (${ep.disabledReason ?? 'unknown'})`), h('p', null, DISABLED_WHY[ep.disabledReason] ?? ''), h('p', null, 'Enable it to resume deliveries, then recover what failed or was cancelled meanwhile.')));
  showBanner(e);

  toggle.addEventListener('click', async () => {
    if (e.enabled) {
      const ok = await confirmDialog({ title: 'Disable this endpoint?', message: h('p', null, 'hookd stops sending to it and cancels its pending deliveries. You can enable it again and recover them.'), confirmLabel: 'Disable', danger: true });
      if (!ok) return;
    }
    try {
      const updated = await api(`/v1/endpoints/${e.id}`, { method: 'PATCH', body: { enabled: !e.enabled } });
      toast(updated.enabled ? 'Endpoint enabled.' : 'Endpoint disabled.', 'ok');
      app.reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });
  del.addEventListener('click', async () => {
    const ok = await confirmDialog({ title: 'Delete this endpoint?', message: h('p', null, `${e.url} will stop receiving webhooks and its pending deliveries are cancelled. This cannot be undone.`), confirmLabel: 'Delete endpoint', danger: true });
    if (!ok) return;
    try {
      await api(`/v1/endpoints/${e.id}`, { method: 'DELETE' });
      toast('Endpoint deleted.', 'ok');
      app.navigate('#/endpoints');
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  });

  const statsEl = h('div', null, h('p', { class: 'loading' }, 'Loading…'));
  const loadStats = async () => {
    try {
      const s = await api(`/v1/endpoints/${e.id}/stats`);
      replace(
        statsEl,
        h(
          'div',
          { class: 'stats' },
          h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Success rate'), h('div', { class: 'stat-value' }, fmtPct(s.successRate))),
          h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Succeeded / failed'), h('div', { class: 'stat-value' }, `${fmtCount(s.succeeded)} / ${fmtCount(s.failed)}`)),
          h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Latency p50 / p95'), h('div', { class: 'stat-value' }, `${fmtMs(s.p50)} / ${fmtMs(s.p95)}`)),
          h('div', { class: 'stat' }, h('div', { class: 'stat-label' }, 'Attempts'), h('div', { class: 'stat-value' }, fmtCount(s.attempts))),
        ),
        Object.keys(s.byCode ?? {}).length ? h('p', null, 'Codes: ', Object.entries(s.byCode).map(([c, n]) => h('span', { class: 'code-count' }, codeTag(c), ` ×${n} `))) : null,
      );
    } catch (err) {
      replace(statsEl, errorBox(err));
    }
  };

  const recent = h('div');
  const inspect = (d) => openInspector(d.id, app);
  const loadRecent = async () => {
    try {
      const page = await api('/v1/deliveries', { query: { endpoint: e.id, limit: 20 } });
      replace(recent, deliveriesTable(page.data, { showEndpoint: false, onRetried: loadRecent, onInspect: inspect }), h('p', null, h('a', { href: `#/deliveries?endpoint=${e.id}` }, 'All deliveries of this endpoint →')));
    } catch (err) {
      replace(recent, errorBox(err));
    }
  };

  const traffic = endpointTraffic(e.id);
  const blocked = blockedKeys(e, { readOnly: !app.can('replay') || !app.can('manage_endpoints') });
  const refresh = debounce(() => {
    void traffic.load();
    void blocked.load();
    void loadStats();
    void loadRecent();
  }, 300);

  // Four tabs instead of one long page: what it does (overview), what was sent (attempts), trying
  // it out (testing), and how it is configured (settings).
  const tabDefs = [
    { id: 'overview', label: 'Overview', content: [section('Last 24 hours', statsEl), blocked.el, traffic.el] },
    { id: 'attempts', label: 'Attempts', content: [section('Recent deliveries', recent)] },
    !app.can('manage_endpoints')
      ? null
      : { id: 'testing', label: 'Testing', content: [e.enabled ? await testSection(e, () => refresh()) : section('Send a test event', h('p', { class: 'muted' }, 'Enable the endpoint to send a test event.')), doctorSection(e, app.features.doctor)] },
    { id: 'routing', label: 'Filter & transform', content: await routingSections(e, app, () => app.reload()) },
    { id: 'settings', label: 'Settings', content: [section('Configuration', settings(e, app.isAdmin), h('p', null, h('a', { 'data-mutates': 'manage_endpoints', class: 'btn', href: `#/endpoints/${e.id}/edit` }, 'Edit settings'))), secretSection(e), !app.can('manage_endpoints') ? null : recoverSection(e, () => void loadRecent())].filter(Boolean) },
  ].filter(Boolean);
  const wanted = params.query.get('tab');
  const tabbed = tabs(tabDefs, { selected: tabDefs.some((t) => t.id === wanted) ? wanted : 'overview', onSelect: (id) => rememberTab(id, 'overview') });
  root.append(pageHeader(urlText(e.url), e.description ?? null, stateEl, h('a', { 'data-mutates': 'manage_endpoints', class: 'btn', href: `#/endpoints/${e.id}/edit` }, 'Edit'), toggle, del), banner, tabbed.el);
  await Promise.all([loadStats(), loadRecent(), traffic.load(), blocked.load()]);
  const offs = [
    app.stream.on('attempt.recorded', (m) => m.endpointId === e.id && refresh()),
    app.stream.on('endpoint.state', (m) => {
      if (m.endpointId !== e.id) return;
      Object.assign(e, m);
      replace(stateEl, endpointState(e));
      showBanner(e);
    }),
  ];
  return () => {
    refresh.cancel();
    for (const off of offs) off();
  };
}
