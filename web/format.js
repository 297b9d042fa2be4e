// Formatting helpers shared by the views: times, durations, rates and status badges.

import { h } from './dom.js';

const pad = (n) => String(n).padStart(2, '0');

/** Local date and time, second precision: 2026-05-20 15:30:01. */
export function fmtTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function relTime(value, now = Date.now()) {
  if (!value) return '—';
  const diff = (new Date(value).getTime() - now) / 1000;
  const abs = Math.abs(diff);
  const unit = abs < 60 ? [Math.round(abs), 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return diff < 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

/** A <time> element with the local time and the ISO value as machine-readable datetime. */
export function timeEl(value, relative = false) {
  if (!value) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: value, title: new Date(value).toISOString() }, relative ? relTime(value) : fmtTime(value));
}

export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

export function fmtPct(rate) {
  if (rate === null || rate === undefined) return '—';
  const pct = rate * 100;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

export function fmtCount(n) {
  return new Intl.NumberFormat().format(n ?? 0);
}

const STATUS_LABELS = { succeeded: 'Succeeded', failed: 'Failed', pending: 'Pending', sending: 'Sending', cancelled: 'Cancelled' };

/** A status tag; the text carries the meaning, colour only reinforces it. */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}` }, STATUS_LABELS[status] ?? status);
}

export function httpBadge(status) {
  if (status === null || status === undefined) return h('span', { class: 'badge badge-neutral' }, 'no response');
  const kind = status >= 200 && status < 300 ? 'succeeded' : status >= 500 ? 'failed' : status >= 400 ? 'warn' : 'neutral';
  return h('span', { class: `badge badge-${kind}` }, `HTTP ${status}`);
}

export function endpointState(endpoint) {
  if (endpoint.enabled) return h('span', { class: 'badge badge-succeeded' }, 'Enabled');
  const reasons = { gone: 'receiver answered 410 Gone', failing: 'failing for too long', manual: 'disabled by a user' };
  return h('span', { class: 'badge badge-failed', title: reasons[endpoint.disabledReason] ?? '' }, `Disabled: ${endpoint.disabledReason ?? 'unknown'}`);
}

export function shortId(id) {
  return id && id.length > 14 ? `${id.slice(0, 4)}…${id.slice(-8)}` : id;
}

/** Value for <input type="datetime-local"> from an ISO string or Date (local time). */
export function toLocalInput(value) {
  const d = value instanceof Date ? value : new Date(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO string from a datetime-local input value (interpreted as local time); '' stays undefined. */
export function fromLocalInput(value) {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
