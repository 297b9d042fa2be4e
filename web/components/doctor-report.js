// The doctor report (spec section 8) rendered step by step: pass / warn / fail / skip, the code and
// message of each check, its detail on demand, and the diagnosis with the fix on top.

import { h } from '../dom.js';
import { codeTag } from './codes.js';
import { jsonView } from './json-view.js';

const ICON = { pass: '✓', warn: '!', fail: '✗', skip: '–' };
const STEP_LABEL = { event: 'Events', address: 'Address policy', dns: 'DNS', tcp: 'TCP connect', tls: 'TLS', http: 'HTTP', auth: 'Authentication', payload: 'Payload', latency: 'Latency', logs: 'Delivery logs' };

export function doctorReport(report) {
  const diagnosis = report.diagnosis ?? {};
  return h(
    'div',
    { class: 'doctor' },
    h(
      'div',
      { class: ['alert', report.ok ? 'alert-ok' : 'alert-error'], role: 'status' },
      h('strong', null, report.ok ? 'All checks passed' : 'Diagnosis: ', report.ok ? null : codeTag(diagnosis.code)),
      diagnosis.summary ? h('p', { class: 'diagnosis-summary' }, diagnosis.summary) : null,
      diagnosis.fix && !report.ok ? h('p', null, h('strong', null, 'Fix: '), diagnosis.fix) : null,
      h('p', { class: 'muted' }, 'Target: ', h('code', null, report.target)),
    ),
    h(
      'ol',
      { class: 'steps' },
      (report.checks ?? []).map((c) =>
        h(
          'li',
          { class: `step step-${c.status}` },
          h('span', { class: 'step-icon', 'aria-hidden': 'true' }, ICON[c.status] ?? '?'),
          h(
            'div',
            { class: 'step-main' },
            h('div', { class: 'step-head' }, h('strong', null, STEP_LABEL[c.step] ?? c.step), ' ', h('span', { class: `badge badge-step-${c.status}` }, c.status), ' ', c.code && c.status !== 'skip' ? codeTag(c.code) : null),
            c.message ? h('p', null, c.message) : null,
            c.detail && Object.keys(c.detail).length ? h('details', null, h('summary', null, 'Detail'), jsonView(c.detail, { label: `${c.step} detail` })) : null,
          ),
        ),
      ),
    ),
  );
}
