// Alert notifications: the unique (rule, subject, window, state) row is the claim that makes one
// process, and only one, send a notification; the newest row tells the evaluator whether a
// condition is firing; listing is newest first with tenant scoping; pruning by age.

import { describe, expect, it } from 'vitest';
import { alertNoticeId } from '../../core/alert-grouping.js';
import type { AlertNotificationRecord } from '../../core/alert-types.js';
import { T0, useStore, type StoreFactory } from './fixtures.js';

const WINDOW = 300_000;

function notification(over: Partial<AlertNotificationRecord> = {}): AlertNotificationRecord {
  const base: AlertNotificationRecord = {
    id: '',
    ruleId: 'rul_1',
    subjectKind: 'endpoint',
    subjectId: 'ep_1',
    tenant: 'acme',
    windowStart: T0,
    state: 'firing',
    summary: 'error rate 63% over 5 min (threshold 50%)',
    value: 0.625,
    threshold: 0.5,
    createdAt: T0 + 10,
    outcome: 'pending',
    error: null,
  };
  const n = { ...base, ...over };
  return { ...n, id: over.id ?? alertNoticeId(n.ruleId, n.subjectId, n.windowStart, n.state) };
}

export function alertsSuite(factory: StoreFactory): void {
  describe('alert notifications', () => {
    const store = useStore(factory);

    it('claims a (rule, subject, window, state) once; a second claim loses and changes nothing', async () => {
      const first = notification();
      expect(await store().claimAlertNotification(first)).toBe(true);
      // Another process, same rule/subject/window/state, its own id and text: it must not send.
      expect(await store().claimAlertNotification({ ...first, id: 'alt_other', summary: 'other', createdAt: T0 + 20 })).toBe(false);
      // The next window, or the resolved notice of the same window, is a new claim.
      expect(await store().claimAlertNotification(notification({ windowStart: T0 + WINDOW, createdAt: T0 + WINDOW + 1 }))).toBe(true);
      expect(await store().claimAlertNotification(notification({ state: 'resolved', windowStart: T0 + WINDOW, createdAt: T0 + WINDOW + 2, value: null, threshold: null }))).toBe(true);
      // Another endpoint of the same rule is grouped separately.
      expect(await store().claimAlertNotification(notification({ subjectId: 'ep_2', createdAt: T0 + 11 }))).toBe(true);
      const all = await store().listAlertNotifications(undefined, 10);
      expect(all.map((n) => [n.subjectId, n.state, n.windowStart])).toEqual([
        ['ep_1', 'resolved', T0 + WINDOW],
        ['ep_1', 'firing', T0 + WINDOW],
        ['ep_2', 'firing', T0],
        ['ep_1', 'firing', T0],
      ]);
      expect(all.find((n) => n.id === first.id)).toEqual(first);
    });

    it('answers the newest notification of a rule for a subject, and records the outcome', async () => {
      expect(await store().latestAlertNotification('rul_1', 'ep_9')).toBeNull();
      const fired = notification({ subjectId: 'ep_9' });
      await store().claimAlertNotification(fired);
      const resolved = notification({ subjectId: 'ep_9', state: 'resolved', createdAt: T0 + 50, value: null, threshold: null });
      await store().claimAlertNotification(resolved);
      expect(await store().latestAlertNotification('rul_1', 'ep_9')).toEqual(resolved);
      await store().setAlertNotificationOutcome(resolved.id, 'failed', 'slack: HTTP 500');
      expect(await store().latestAlertNotification('rul_1', 'ep_9')).toEqual({ ...resolved, outcome: 'failed', error: 'slack: HTTP 500' });
      await store().setAlertNotificationOutcome(fired.id, 'sent', null);
      const list = await store().listAlertNotifications(undefined, 10);
      expect(list.find((n) => n.id === fired.id)?.outcome).toBe('sent');
    });

    it('lists newest first, limited, and scoped to a tenant (null is the operator tenant)', async () => {
      await store().claimAlertNotification(notification({ subjectId: 'ep_a', createdAt: T0 + 1 }));
      await store().claimAlertNotification(notification({ subjectId: 'ep_b', createdAt: T0 + 2, tenant: null }));
      await store().claimAlertNotification(notification({ subjectId: 'ep_c', createdAt: T0 + 3, tenant: 'globex' }));
      await store().claimAlertNotification(notification({ subjectId: 'ep_d', createdAt: T0 + 4 }));
      expect((await store().listAlertNotifications(undefined, 10)).map((n) => n.subjectId)).toEqual(['ep_d', 'ep_c', 'ep_b', 'ep_a']);
      expect((await store().listAlertNotifications(undefined, 2)).map((n) => n.subjectId)).toEqual(['ep_d', 'ep_c']);
      expect((await store().listAlertNotifications('acme', 10)).map((n) => n.subjectId)).toEqual(['ep_d', 'ep_a']);
      expect((await store().listAlertNotifications(null, 10)).map((n) => n.subjectId)).toEqual(['ep_b']);
      expect(await store().listAlertNotifications('nobody', 10)).toEqual([]);
    });

    it('prunes notifications older than the cut-off, in batches', async () => {
      for (let i = 0; i < 3; i += 1) await store().claimAlertNotification(notification({ subjectId: `ep_old${i}`, createdAt: T0 + i }));
      await store().claimAlertNotification(notification({ subjectId: 'ep_new', createdAt: T0 + 1000 }));
      expect(await store().pruneAlertNotifications(T0 + 500, 2)).toBe(2);
      expect(await store().pruneAlertNotifications(T0 + 500, 2)).toBe(1);
      expect(await store().pruneAlertNotifications(T0 + 500, 2)).toBe(0);
      expect((await store().listAlertNotifications(undefined, 10)).map((n) => n.subjectId)).toEqual(['ep_new']);
    });

    it('concurrent claims for the same window: exactly one wins', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store().claimAlertNotification(notification({ subjectId: 'ep_race', id: `alt_race_${i}`, createdAt: T0 + i }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store().listAlertNotifications(undefined, 10)).filter((n) => n.subjectId === 'ep_race')).toHaveLength(1);
    });
  });
}
