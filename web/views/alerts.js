// Alerts: the channels notifications go to, the rules that raise them, and the notifications sent
// (GET/POST/DELETE /v1/alerts/channels, /v1/alerts/rules, GET /v1/alerts/notifications). A tenant
// key sees and manages its tenant's only; the server decides, the page lists what it is given.
// Secrets are never shown, except a new webhook channel's signing secret, once, after creating it.

import { api } from '../api.js';
import { h, field, replace } from '../dom.js';
import { timeEl } from '../format.js';
import { pageHeader } from '../components/page.js';
import { errorBox, toast } from '../components/toast.js';

const RULE_KINDS = ['endpoint_disabled', 'deliveries_exhausted', 'error_rate', 'latency_p95', 'source_rejecting'];

function table(head, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'muted empty-note' }, empty);
  return h('table', { class: 'table' }, h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows));
}

function target(c) {
  if (c.kind === 'email') return `${c.config.host}:${c.config.port} → ${(c.config.to ?? []).join(', ')}`;
  return c.config.url ?? c.config.urlHint ?? '';
}

function deleteButton(label, path, reload) {
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'data-mutates': '' }, 'Delete');
  btn.setAttribute('aria-label', `Delete ${label}`);
  btn.addEventListener('click', async () => {
    try {
      await api(path, { method: 'DELETE' });
      toast(`Deleted ${label}`);
      await reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  return btn;
}

export async function render(root) {
  const channels = h('div', { class: 'table-wrap', 'data-alert-channels': '' });
  const rules = h('div', { class: 'table-wrap', 'data-alert-rules': '' });
  const notes = h('div', { class: 'table-wrap', 'data-alert-notifications': '' });
  const secretNote = h('div', { 'aria-live': 'polite' });

  const chName = h('input', { type: 'text', name: 'channel-name', required: true, maxlength: '200' });
  const chKind = h('select', { name: 'channel-kind' }, ['webhook', 'slack', 'teams'].map((k) => h('option', { value: k }, k)));
  const chUrl = h('input', { type: 'url', name: 'channel-url', required: true, placeholder: 'https://…' });
  const channelForm = h(
    'form',
    { class: 'filters', 'aria-label': 'New alert channel', 'data-mutates': '' },
    field('Name', chName),
    field('Kind', chKind, 'Email channels: hookd alerts channels create --kind email'),
    field('URL', chUrl),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn' }, 'Add channel')),
  );

  const ruleName = h('input', { type: 'text', name: 'rule-name', required: true, maxlength: '200' });
  const ruleKind = h('select', { name: 'rule-kind' }, RULE_KINDS.map((k) => h('option', { value: k }, k)));
  const ruleThreshold = h('input', { type: 'number', name: 'rule-threshold', step: 'any', placeholder: '0.5 or ms' });
  const ruleWindow = h('input', { type: 'number', name: 'rule-window', min: '60', max: '604800', value: '300' });
  const ruleChannel = h('select', { name: 'rule-channel' });
  const ruleForm = h(
    'form',
    { class: 'filters', 'aria-label': 'New alert rule', 'data-mutates': '' },
    field('Name', ruleName),
    field('Kind', ruleKind),
    field('Threshold', ruleThreshold, 'error_rate, source_rejecting: a fraction; latency_p95: ms; empty for the others.'),
    field('Window (s)', ruleWindow),
    field('Channel', ruleChannel),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'btn' }, 'Add rule')),
  );

  async function reload() {
    try {
      const [c, r, n] = await Promise.all([api('/v1/alerts/channels'), api('/v1/alerts/rules'), api('/v1/alerts/notifications', { query: { limit: 50 } })]);
      replace(
        channels,
        table(
          ['Name', 'Kind', 'Target', 'Tenant', ''],
          c.data.map((ch) => h('tr', { 'data-channel': ch.id }, h('td', null, ch.name), h('td', null, ch.kind), h('td', null, h('code', null, target(ch))), h('td', null, ch.tenant ?? '—'), h('td', null, deleteButton(ch.name, `/v1/alerts/channels/${ch.id}`, reload)))),
          'No channels yet.',
        ),
      );
      replace(ruleChannel, c.data.map((ch) => h('option', { value: ch.id }, `${ch.name} (${ch.kind})`)));
      replace(
        rules,
        table(
          ['Name', 'Kind', 'Threshold', 'Window', 'Channels', 'Enabled', ''],
          r.data.map((rule) =>
            h(
              'tr',
              { 'data-rule': rule.id },
              h('td', null, rule.name),
              h('td', null, h('code', null, rule.kind)),
              h('td', null, rule.threshold === null ? '—' : String(rule.threshold)),
              h('td', null, `${rule.windowSeconds} s`),
              h('td', null, rule.channels.map((id) => c.data.find((ch) => ch.id === id)?.name ?? id).join(', ')),
              h('td', null, rule.enabled ? 'yes' : 'no'),
              h('td', null, deleteButton(rule.name, `/v1/alerts/rules/${rule.id}`, reload)),
            ),
          ),
          'No rules yet.',
        ),
      );
      replace(
        notes,
        table(
          ['When', 'State', 'Rule', 'Subject', 'Summary', 'Outcome'],
          n.data.map((x) =>
            h('tr', { 'data-notification': x.id }, h('td', { class: 'nowrap' }, timeEl(x.createdAt)), h('td', null, x.state), h('td', null, r.data.find((rule) => rule.id === x.rule)?.name ?? x.rule), h('td', null, h('code', null, x.subject.id)), h('td', null, x.summary), h('td', null, x.error ? `${x.outcome}: ${x.error}` : x.outcome)),
          ),
          'No notifications sent.',
        ),
      );
    } catch (err) {
      replace(channels, errorBox(err));
    }
  }

  channelForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const created = await api('/v1/alerts/channels', { method: 'POST', body: { name: chName.value.trim(), kind: chKind.value, url: chUrl.value.trim() } });
      channelForm.reset();
      replace(secretNote, created.secret ? h('p', { class: 'note', 'data-channel-secret': '' }, 'Signing secret (shown once): ', h('code', null, created.secret)) : '');
      toast(`Added channel ${created.name}`);
      await reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  ruleForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const threshold = ruleThreshold.value.trim();
    try {
      const body = { name: ruleName.value.trim(), kind: ruleKind.value, windowSeconds: Number(ruleWindow.value), channels: ruleChannel.value ? [ruleChannel.value] : [] };
      if (threshold !== '') body.threshold = Number(threshold);
      const created = await api('/v1/alerts/rules', { method: 'POST', body });
      ruleForm.reset();
      toast(`Added rule ${created.name}`);
      await reload();
    } catch (err) {
      toast(err.message, 'error');
    }
  });

  root.append(
    pageHeader('Alerts', 'Where notifications go, what raises them, and what was sent'),
    h('section', null, h('h2', null, 'Channels'), channels, channelForm, secretNote),
    h('section', null, h('h2', null, 'Rules'), rules, ruleForm),
    h('section', null, h('h2', null, 'Recent notifications'), notes),
  );
  await reload();
}
