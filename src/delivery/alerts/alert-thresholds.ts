// The timer-driven rules: an endpoint's error rate or p95 latency over a threshold for a window,
// measured from the attempts of the last window (store.endpointSeries, one bucket of windowMs).
// A window with fewer than MIN_ATTEMPTS attempts neither fires nor clears: one failure out of one
// is not a 100% error rate worth waking someone for.

import type { AlertRule } from '../../core/alert-types.js';
import type { Store } from '../../store/store.js';
import type { AlertNotifier, AlertSubject } from './alert-notifier.js';

export const MIN_ATTEMPTS = 5;

export async function evaluateThresholdRules(deps: {
  store: Store;
  notifier: AlertNotifier;
  rules: readonly AlertRule[];
  endpoints: readonly AlertSubject[];
  now: number;
}): Promise<number> {
  let sent = 0;
  for (const rule of deps.rules) {
    if ((rule.kind !== 'error_rate' && rule.kind !== 'latency_p95') || rule.threshold === null) continue;
    for (const endpoint of deps.endpoints) {
      const buckets = await deps.store.endpointSeries(endpoint.id, deps.now - rule.windowMs, deps.now, rule.windowMs);
      const attempts = buckets.reduce((n, b) => n + b.attempts, 0);
      if (attempts < MIN_ATTEMPTS) continue;
      const minutes = Math.round(rule.windowMs / 60_000);
      let value: number;
      let summary: string;
      if (rule.kind === 'error_rate') {
        value = buckets.reduce((n, b) => n + b.failed, 0) / attempts;
        summary = `error rate ${Math.round(value * 100)}% of ${attempts} attempts over ${minutes} min (threshold ${Math.round(rule.threshold * 100)}%)`;
      } else {
        value = Math.max(...buckets.map((b) => b.p95));
        summary = `p95 latency ${value} ms over ${minutes} min (threshold ${rule.threshold} ms)`;
      }
      const done = await deps.notifier.observe(rule, endpoint, { breaching: value > rule.threshold, summary, value });
      if (done !== 'none') sent += 1;
    }
  }
  return sent;
}
