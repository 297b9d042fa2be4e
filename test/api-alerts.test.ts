// GET /v1/alerts/notifications: newest first, tenant-scoped, bad input answered with a problem.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertNotificationRecord } from '../src/core/alert-types.js';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let acmeKey: string;
const T0 = 1_800_000_000_000;

function notification(subjectId: string, tenant: string | null, createdAt: number, over: Partial<AlertNotificationRecord> = {}): AlertNotificationRecord {
  return {
    id: `alt_rul_1_${subjectId}`,
    ruleId: 'rul_1',
    subjectKind: 'endpoint',
    subjectId,
    tenant,
    windowStart: T0,
    state: 'firing',
    summary: 'error rate 63%',
    value: 0.625,
    threshold: 0.5,
    createdAt,
    outcome: 'sent',
    error: null,
    ...over,
  };
}

beforeAll(async () => {
  h = await createHarness();
  const store = h.runtime.store;
  await store.claimAlertNotification(notification('ep_a', 'acme', T0 + 1));
  await store.claimAlertNotification(notification('ep_b', null, T0 + 2, { subjectKind: 'source', state: 'resolved', value: null, threshold: null, outcome: 'failed', error: 'chn_1: HTTP 500' }));
  await store.claimAlertNotification(notification('ep_c', 'globex', T0 + 3));
  const key = await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } });
  acmeKey = key.body.key;
});

afterAll(async () => {
  await h.close();
});

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, detail: expect.any(String) });
}

describe('GET /v1/alerts/notifications', () => {
  it('lists every tenant for an admin, newest first, as the model says', async () => {
    const res = await h.request('GET', '/v1/alerts/notifications');
    expect(res.status).toBe(200);
    expect(res.body.data.map((n: { subject: { id: string } }) => n.subject.id)).toEqual(['ep_c', 'ep_b', 'ep_a']);
    expect(res.body.data[1]).toEqual({
      id: 'alt_rul_1_ep_b',
      rule: 'rul_1',
      subject: { kind: 'source', id: 'ep_b' },
      tenant: null,
      state: 'resolved',
      windowStart: new Date(T0).toISOString(),
      summary: 'error rate 63%',
      value: null,
      threshold: null,
      createdAt: new Date(T0 + 2).toISOString(),
      outcome: 'failed',
      error: 'chn_1: HTTP 500',
    });
    const limited = await h.request('GET', '/v1/alerts/notifications?limit=1');
    expect(limited.body.data).toHaveLength(1);
    const globex = await h.request('GET', '/v1/alerts/notifications?tenant=globex');
    expect(globex.body.data.map((n: { subject: { id: string } }) => n.subject.id)).toEqual(['ep_c']);
  });

  it('shows a tenant key its own tenant only, and refuses another tenant', async () => {
    const res = await h.request('GET', '/v1/alerts/notifications', { key: acmeKey });
    expect(res.status).toBe(200);
    expect(res.body.data.map((n: { subject: { id: string } }) => n.subject.id)).toEqual(['ep_a']);
    expectProblem(await h.request('GET', '/v1/alerts/notifications?tenant=globex', { key: acmeKey }), 403, 'forbidden');
  });

  it('answers bad input and missing auth with a problem, never a 500', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'unknown=1', 'tenant=']) {
      const res = await h.request('GET', `/v1/alerts/notifications?${query}`);
      expect(res.status, query).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
    }
    expectProblem(await h.request('GET', '/v1/alerts/notifications', { key: null }), 401, 'unauthorized');
    expectProblem(await h.request('GET', '/v1/alerts/notifications', { key: 'hk_wrong_key_0000000000' }), 401, 'unauthorized');
  });
});
