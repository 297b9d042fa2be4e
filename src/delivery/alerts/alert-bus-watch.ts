// The event-driven rules: an endpoint disabled (endpoint.state) and deliveries exhausted (an attempt
// recorded with the delivery's final status 'failed'). Both clear on the good news: the endpoint
// enabled again, a delivery to it succeeding.

import type { AlertRule } from '../../core/alert-types.js';
import type { EventBus } from '../../core/event-bus.js';
import type { AlertNotifier, AlertSubject } from './alert-notifier.js';

export function watchAlertBus(deps: {
  bus: EventBus;
  notifier: AlertNotifier;
  /** The rules in force (read per message: rules change while the process runs). */
  rules: () => readonly AlertRule[];
  onError: (err: unknown) => void;
}): () => void {
  const run = (kind: AlertRule['kind'], subject: AlertSubject, breaching: boolean, summary: string): void => {
    for (const rule of deps.rules()) {
      if (rule.kind !== kind) continue;
      deps.notifier.observe(rule, subject, { breaching, summary, value: null }).catch(deps.onError);
    }
  };
  const offState = deps.bus.on('endpoint.state', (m) => {
    const subject: AlertSubject = { kind: 'endpoint', id: m.endpointId, name: null, tenant: m.tenant };
    run('endpoint_disabled', subject, !m.enabled, m.enabled ? 'the endpoint is enabled again' : `the endpoint was disabled: ${m.disabledReason ?? 'no reason given'}`);
  });
  const offAttempt = deps.bus.on('attempt.recorded', (m) => {
    if (m.status !== 'failed' && m.status !== 'succeeded') return;
    const subject: AlertSubject = { kind: 'endpoint', id: m.endpointId, name: null, tenant: m.tenant };
    run(
      'deliveries_exhausted',
      subject,
      m.status === 'failed',
      m.status === 'failed' ? `delivery ${m.deliveryId} exhausted its retries (last: ${m.code})` : 'deliveries to the endpoint succeed again',
    );
  });
  return () => {
    offState();
    offAttempt();
  };
}
