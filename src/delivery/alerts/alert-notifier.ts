// Turns "rule R is (or is no longer) breaching for subject S" into at most one notification per
// window and one resolved notice when it clears. The claim is a unique store row, so several worker
// processes evaluating the same rule send it once between them; the process that wins the insert
// sends to every channel of the rule and records the outcome.

import { alertNoticeId, alertTransition, alertWindowStart } from '../../core/alert-grouping.js';
import type { AlertNotice, AlertNotificationRecord, AlertRule } from '../../core/alert-types.js';
import type { Store } from '../../store/store.js';
import type { AlertSender } from './alert-senders.js';

export interface AlertSubject {
  kind: 'endpoint' | 'source';
  id: string;
  name: string | null;
  tenant: string | null;
}

export interface AlertObservation {
  breaching: boolean;
  summary: string;
  value: number | null;
}

export interface AlertNotifier {
  /** Returns what was done: 'fire' and 'resolve' only when this process won the claim and sent. */
  observe(rule: AlertRule, subject: AlertSubject, observation: AlertObservation): Promise<'fire' | 'resolve' | 'none'>;
}

/** Does a rule cover this subject? Tenant rules never see another tenant's (or the operator's) subjects. */
export function ruleCovers(rule: AlertRule, subject: AlertSubject): boolean {
  if (rule.tenant !== null && rule.tenant !== subject.tenant) return false;
  return rule.subjects.length === 0 || rule.subjects.includes(subject.id);
}

export function createAlertNotifier(deps: { store: Store; sender: AlertSender; now?: () => number }): AlertNotifier {
  const now = deps.now ?? Date.now;
  return {
    async observe(rule, subject, observation) {
      if (!ruleCovers(rule, subject)) return 'none';
      const at = now();
      const windowStart = alertWindowStart(at, rule.windowMs);
      const latest = await deps.store.latestAlertNotification(rule.id, subject.id);
      const transition = alertTransition({
        breaching: observation.breaching,
        wasFiring: latest?.state === 'firing',
        firedThisWindow: latest?.state === 'firing' && latest.windowStart === windowStart,
      });
      if (transition === 'none') return 'none';
      const state = transition === 'fire' ? 'firing' : 'resolved';
      const record: AlertNotificationRecord = {
        id: alertNoticeId(rule.id, subject.id, windowStart, state),
        ruleId: rule.id,
        subjectKind: subject.kind,
        subjectId: subject.id,
        tenant: subject.tenant,
        windowStart,
        state,
        summary: observation.summary,
        value: observation.value,
        threshold: rule.threshold,
        createdAt: at,
        outcome: 'pending',
        error: null,
      };
      if (!(await deps.store.claimAlertNotification(record))) return 'none';
      const notice: AlertNotice = {
        id: record.id,
        state,
        ruleId: rule.id,
        ruleName: rule.name,
        ruleKind: rule.kind,
        tenant: subject.tenant,
        subject: { kind: subject.kind, id: subject.id, name: subject.name },
        windowStart,
        windowMs: rule.windowMs,
        summary: observation.summary,
        value: observation.value,
        threshold: rule.threshold,
        createdAt: at,
      };
      // Channels are independent: one refusing does not keep the others from hearing about it.
      const results = await Promise.all(rule.channels.map(async (c) => ({ id: c.id, result: await deps.sender.send(c.target, notice) })));
      const errors = results.filter((r) => !r.result.ok).map((r) => `${r.id}: ${r.result.error ?? 'failed'}`);
      await deps.store.setAlertNotificationOutcome(record.id, errors.length === 0 ? 'sent' : 'failed', errors.length === 0 ? null : errors.join('; '));
      return transition;
    },
  };
}
