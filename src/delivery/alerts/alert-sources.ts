// source_rejecting: an inbound source rejecting most of its requests (bad signatures, wrong IPs,
// oversized bodies...) is usually a provider whose secret changed. The share of rejected requests
// of the last window over the threshold fires; back under it clears. Like the endpoint thresholds, a
// window with fewer than MIN_REQUESTS requests neither fires nor clears.

import type { AlertRule } from '../../core/alert-types.js';
import type { Store } from '../../store/store.js';
import type { AlertNotifier } from './alert-notifier.js';

export const MIN_REQUESTS = 5;

export async function evaluateSourceRules(deps: { store: Store; notifier: AlertNotifier; rules: readonly AlertRule[]; now: number }): Promise<number> {
  let sent = 0;
  const byWindow = new Map<number, Awaited<ReturnType<Store['sourceVerdictCounts']>>>();
  for (const rule of deps.rules) {
    if (rule.kind !== 'source_rejecting' || rule.threshold === null) continue;
    let counts = byWindow.get(rule.windowMs);
    if (!counts) {
      counts = await deps.store.sourceVerdictCounts(deps.now - rule.windowMs, deps.now + 1);
      byWindow.set(rule.windowMs, counts);
    }
    for (const c of counts) {
      if (c.total < MIN_REQUESTS) continue;
      const value = c.rejected / c.total;
      const minutes = Math.round(rule.windowMs / 60_000);
      const summary = `${Math.round(value * 100)}% of ${c.total} inbound requests rejected over ${minutes} min (threshold ${Math.round(rule.threshold * 100)}%)`;
      const done = await deps.notifier.observe(rule, { kind: 'source', id: c.sourceId, name: null, tenant: c.tenant }, { breaching: value > rule.threshold, summary, value });
      if (done !== 'none') sent += 1;
    }
  }
  return sent;
}
