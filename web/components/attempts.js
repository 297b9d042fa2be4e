// The attempt timeline of a delivery: newest first, the latest open. Each attempt shows the status,
// duration, time, code with its explanation, request headers and the response (status, headers, body).

import { h } from '../dom.js';
import { fmtMs, httpBadge, timeEl } from '../format.js';
import { codeExplanation, codeTag } from './codes.js';
import { headersTable } from './headers-table.js';
import { jsonView } from './json-view.js';

export function attemptDetail(attempt) {
  return h(
    'div',
    { class: 'attempt-body' },
    attempt.message ? h('p', { class: 'attempt-message' }, attempt.message) : null,
    codeExplanation(attempt.code),
    h('div', { class: 'grid-2' }, h('section', null, h('h4', null, 'Request'), headersTable(attempt.request?.headers, 'Request headers')), h('section', null, h('h4', null, 'Response'), attempt.response ? [headersTable(attempt.response.headers, 'Response headers'), attempt.response.body ? jsonView(attempt.response.body, { label: 'response body' }) : h('p', { class: 'muted' }, 'Empty body')] : h('p', { class: 'muted' }, 'No response: ', attempt.message ?? 'the request failed before an answer.'))),
  );
}

export function attemptSummary(attempt) {
  // What started the attempt: the retry schedule, a person (manual), a recovery or a bulk retry.
  const trigger = attempt.trigger ? [' ', h('span', { class: `badge badge-neutral trigger-tag trigger-${attempt.trigger}`, title: 'What triggered this attempt' }, attempt.trigger)] : null;
  return [httpBadge(attempt.responseStatus), ' ', codeTag(attempt.code), trigger, h('span', { class: 'muted' }, ` ${fmtMs(attempt.durationMs)} · `), timeEl(attempt.createdAt)];
}

export function attemptTimeline(attempts) {
  if (!attempts || attempts.length === 0) return h('p', { class: 'muted' }, 'No attempts yet.');
  const sorted = [...attempts].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return h(
    'ol',
    { class: 'timeline', reversed: true },
    sorted.map((a, i) =>
      h(
        'li',
        { class: ['timeline-item', a.code === 'ok' ? 'is-ok' : 'is-bad'] },
        h('details', { open: i === 0 }, h('summary', null, h('span', { class: 'timeline-n' }, `#${sorted.length - i}`), ' ', attemptSummary(a)), attemptDetail(a)),
      ),
    ),
  );
}
