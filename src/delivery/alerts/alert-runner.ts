// The alert evaluator of a worker process: the stored rules and channels, re-read on a timer (a
// rule created over the API is in force within one interval), the bus watcher for the event rules
// and, on the same timer, the threshold rules. Several workers may run it side by side: the
// notification claim (alert-notifier.ts) lets only one of them send each notification.

import type { AlertChannel, AlertRule, AlertRuleRecord } from '../../core/alert-types.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Store } from '../../store/store.js';
import { watchAlertBus } from './alert-bus-watch.js';
import { createAlertNotifier, type AlertSubject } from './alert-notifier.js';
import type { AlertSender } from './alert-senders.js';
import { evaluateSourceRules } from './alert-sources.js';
import { evaluateThresholdRules } from './alert-thresholds.js';

export interface AlertRunner {
  start(): Promise<void>;
  /** Stops the timer and the bus watcher, and waits for an evaluation under way. */
  stop(): Promise<void>;
  /** One refresh and evaluation now (what the timer runs). */
  tick(): Promise<void>;
  rules(): readonly AlertRule[];
}

/** A stored rule with its channels opened; a channel deleted meanwhile is left out. */
export function toAlertRule(record: AlertRuleRecord, channels: ReadonlyMap<string, AlertChannel>): AlertRule {
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    tenant: record.tenant,
    subjects: [...record.endpointIds, ...record.sourceIds],
    threshold: record.threshold,
    windowMs: record.windowMs,
    channels: record.channelIds.flatMap((id) => {
      const c = channels.get(id);
      return c ? [{ id: c.id, target: c.target }] : [];
    }),
  };
}

export function createAlertRunner(deps: { store: Store; bus: EventBus; sender: AlertSender; intervalMs: number; now?: () => number; onError: (err: unknown) => void }): AlertRunner {
  const now = deps.now ?? Date.now;
  const notifier = createAlertNotifier({ store: deps.store, sender: deps.sender, now });
  let rules: AlertRule[] = [];
  let timer: NodeJS.Timeout | null = null;
  let stopBus: (() => void) | null = null;
  let running: Promise<void> | null = null;

  const refresh = async (): Promise<void> => {
    const [records, channels] = await Promise.all([deps.store.listAlertRules(undefined), deps.store.listAlertChannels(undefined)]);
    const byId = new Map(channels.map((c) => [c.id, c]));
    rules = records.filter((r) => r.enabled).map((r) => toAlertRule(r, byId));
  };

  const endpoints = async (): Promise<AlertSubject[]> => {
    const out: AlertSubject[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.store.listEndpoints(undefined, { limit: 250, cursor });
      out.push(...page.data.map((e) => ({ kind: 'endpoint' as const, id: e.id, name: e.description ?? null, tenant: e.tenant })));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  };

  const evaluate = async (): Promise<void> => {
    await refresh();
    const at = now();
    if (rules.some((r) => r.kind === 'error_rate' || r.kind === 'latency_p95')) {
      await evaluateThresholdRules({ store: deps.store, notifier, rules, endpoints: await endpoints(), now: at });
    }
    await evaluateSourceRules({ store: deps.store, notifier, rules, now: at });
  };

  const tick = (): Promise<void> => {
    // One evaluation at a time: a slow store makes the next tick wait, not pile up.
    running ??= evaluate()
      .catch(deps.onError)
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    async start() {
      await refresh().catch(deps.onError);
      stopBus = watchAlertBus({ bus: deps.bus, notifier, rules: () => rules, onError: deps.onError });
      timer = setInterval(() => void tick(), deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      stopBus?.();
      stopBus = null;
      await running;
    },
    tick,
    rules: () => rules,
  };
}
