// The doctor report (spec section 8) rendered step by step: pass / warn / fail / skip, the code and
// message of each check, its detail on demand, and the diagnosis with the fix on top.

import { h } from '../dom.js';
import { codeTag } from './codes.js';
import { jsonView } from './json-view.js';

const ICON = { pass: '✓', warn: '!', fail: '✗', skip: '–' };
const STEP_LABEL = { event: 'Events', address: 'Address policy', dns: 'DNS', tcp: 'TCP connect', tls: 'TLS', http: 'HTTP', broker: 'Broker handshake and test publish', auth: 'Authentication', payload: 'Payload', latency: 'Latency', logs: 'Delivery logs' };

/**
 * The headline tells the whole truth: green "All checks passed" only when every check passed (or was
 * skipped); "Passed with N warnings" in amber naming each warning; a failure leads with its diagnosis.
 */
export function doctorReport(report) {
  const diagnosis = report.diagnosis ?? {};
  const checks = report.checks ?? [];
  const warnings = checks.filter((c) => c.status === 'warn');
  const failed = !report.ok;
  const kind = failed ? 'alert-error' : warnings.length ? 'alert-warn' : 'alert-ok';
  const count = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  const headline = failed ? h('strong', null, 'Diagnosis: ', codeTag(diagnosis.code)) : h('strong', { class: 'doctor-headline' }, warnings.length ? `Passed with ${count}` : 'All checks passed');
  const warningList = warnings.length
    ? h(
        'ul',
        { class: 'doctor-warnings', 'aria-label': failed ? `Also ${count}` : 'Warnings' },
        warnings.map((c) => h('li', null, h('strong', null, STEP_LABEL[c.step] ?? c.step), ' ', codeTag(c.code), c.message ? ` ${c.message}` : null)),
      )
    : null;
  return h(
    'div',
    { class: 'doctor' },
    h(
      'div',
      { class: ['alert', kind], role: 'status' },
      headline,
      failed && warnings.length ? h('span', { class: 'muted' }, ` (and ${count})`) : null,
      // The summary of "ok" adds nothing to "All checks passed"; for a warning the list says it.
      failed && diagnosis.summary ? h('p', { class: 'diagnosis-summary' }, diagnosis.summary) : null,
      failed && diagnosis.fix ? h('p', null, h('strong', null, 'Fix: '), diagnosis.fix) : null,
      warningList,
      !failed && warnings.length && diagnosis.fix ? h('p', null, h('strong', null, 'Fix first: '), diagnosis.fix) : null,
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
            // A step's own fix (the broker steps give one per failure) beside the step it belongs to.
            c.fix && c.status !== 'pass' ? h('p', { class: 'step-fix' }, h('strong', null, 'Fix: '), c.fix) : null,
            c.detail && Object.keys(c.detail).length ? h('details', null, h('summary', null, 'Detail'), jsonView(c.detail, { label: `${c.step} detail` })) : null,
          ),
        ),
      ),
    ),
  );
}
