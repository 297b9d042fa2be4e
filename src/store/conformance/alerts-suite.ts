// Alert notifications: the unique (rule, subject, window, state) row is the claim that makes one
// process, and only one, send a notification; the newest row tells the evaluator whether a
// condition is firing; listing is newest first with tenant scoping; pruning by age.

import { describe, expect, it } from 'vitest';
import { alertNoticeId } from '../../core/alert-grouping.js';
import type { AlertChannel, AlertNotificationRecord, AlertRuleRecord } from '../../core/alert-types.js';
import { T0, makeInbound, makeSource, useStore, type StoreFactory } from './fixtures.js';

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

  describe('alert channels and rules', () => {
    const store = useStore(factory);
    const channel = (over: Partial<AlertChannel> = {}): AlertChannel => ({
      id: 'ach_1',
      name: 'ops hook',
      tenant: 'acme',
      target: { kind: 'webhook', url: 'https://alerts.example.com/hook', secret: 'whsec_c2VjcmV0LXZhbHVlLWZvci10ZXN0cw==' },
      createdAt: T0,
      updatedAt: T0,
      ...over,
    });
    const rule = (over: Partial<AlertRuleRecord> = {}): AlertRuleRecord => ({
      id: 'arl_1',
      name: 'errors',
      kind: 'error_rate',
      tenant: 'acme',
      threshold: 0.5,
      windowMs: 300_000,
      endpointIds: ['ep_1'],
      sourceIds: [],
      channelIds: ['ach_1'],
      enabled: true,
      createdAt: T0,
      updatedAt: T0,
      ...over,
    });

    it('stores every channel kind and opens it again; secrets are sealed in the row', async () => {
      const email = channel({
        id: 'ach_2',
        tenant: null,
        createdAt: T0 + 1,
        target: { kind: 'email', host: 'smtp.example.com', port: 587, secure: false, username: 'ops', password: 'hunter2-smtp', from: 'hookd@example.com', to: ['a@example.com', 'b@example.com'] },
      });
      const slack = channel({ id: 'ach_3', createdAt: T0 + 2, target: { kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/tokentoken' } });
      for (const c of [channel(), email, slack]) await store().insertAlertChannel(c);
      expect(await store().getAlertChannel('ach_2', undefined)).toEqual(email);
      expect(await store().listAlertChannels(undefined)).toEqual([channel(), email, slack]);
      expect((await store().listAlertChannels('acme')).map((c) => c.id)).toEqual(['ach_1', 'ach_3']);
      expect((await store().listAlertChannels(null)).map((c) => c.id)).toEqual(['ach_2']);
      expect(await store().getAlertChannel('ach_2', 'acme')).toBeNull();
      const raw = JSON.stringify((await store().exportRows('alert_channels', null, 10)).rows);
      for (const secret of ['whsec_c2VjcmV0LXZhbHVlLWZvci10ZXN0cw==', 'hunter2-smtp', 'tokentoken']) expect(raw).not.toContain(secret);
      expect(raw).toContain('smtp.example.com');
    });

    it('updates and deletes a channel only within the tenant filter', async () => {
      await store().insertAlertChannel(channel());
      const changed = channel({ name: 'renamed', updatedAt: T0 + 5, target: { kind: 'teams', url: 'https://example.webhook.office.com/x' } });
      expect(await store().updateAlertChannel(changed, 'globex')).toBe(false);
      expect(await store().updateAlertChannel(changed, 'acme')).toBe(true);
      expect(await store().getAlertChannel('ach_1', undefined)).toEqual(changed);
      expect(await store().deleteAlertChannel('ach_1', 'globex')).toBe(false);
      expect(await store().deleteAlertChannel('ach_1', undefined)).toBe(true);
      expect(await store().getAlertChannel('ach_1', undefined)).toBeNull();
    });

    it('stores rules with their id lists, scoped, updated and deleted', async () => {
      const operator = rule({ id: 'arl_2', tenant: null, kind: 'endpoint_disabled', threshold: null, endpointIds: [], channelIds: ['ach_9', 'ach_8'], enabled: false, createdAt: T0 + 1 });
      await store().insertAlertRule(rule());
      await store().insertAlertRule(operator);
      expect(await store().listAlertRules(undefined)).toEqual([rule(), operator]);
      expect(await store().listAlertRules('acme')).toEqual([rule()]);
      expect(await store().getAlertRule('arl_2', null)).toEqual(operator);
      const next = rule({ threshold: 0.25, windowMs: 60_000, sourceIds: ['src_1'], kind: 'source_rejecting', enabled: false, updatedAt: T0 + 9 });
      expect(await store().updateAlertRule(next, 'globex')).toBe(false);
      expect(await store().updateAlertRule(next, 'acme')).toBe(true);
      expect(await store().getAlertRule('arl_1', undefined)).toEqual(next);
      expect(await store().deleteAlertRule('arl_1', null)).toBe(false);
      expect(await store().deleteAlertRule('arl_1', 'acme')).toBe(true);
      expect((await store().listAlertRules(undefined)).map((r) => r.id)).toEqual(['arl_2']);
    });

    it('counts inbound requests and rejections per source in a time range', async () => {
      const source = makeSource();
      await store().insertSource(source);
      const at = (i: number, verdict: 'accepted' | 'rejected', receivedAt: number) =>
        makeInbound(source, { id: `inr_${i}`, verdict, receivedAt, ...(verdict === 'rejected' ? { code: 'signature_invalid', reason: 'bad', status: 401 } : {}) });
      await store().recordInbound(at(1, 'rejected', T0 + 10), null);
      await store().recordInbound(at(2, 'rejected', T0 + 20), null);
      await store().recordInbound(at(3, 'accepted', T0 + 30), null);
      await store().recordInbound(at(4, 'rejected', T0 + 5000), null);
      expect(await store().sourceVerdictCounts(T0, T0 + 1000)).toEqual([{ sourceId: source.id, tenant: source.tenant, total: 3, rejected: 2 }]);
      expect(await store().sourceVerdictCounts(T0 + 2000, T0 + 3000)).toEqual([]);
    });
  });
}
