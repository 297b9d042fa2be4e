// Grouped alert notifications end to end on real parts: two stores on one SQLite file stand for two
// worker processes, each with its own event bus and notifier, sending to one loopback receiver.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule } from '../src/core/alert-types.js';
import { EventBus } from '../src/core/event-bus.js';
import { watchAlertBus } from '../src/delivery/alerts/alert-bus-watch.js';
import { createAlertNotifier, type AlertSubject } from '../src/delivery/alerts/alert-notifier.js';
import { createAlertSender } from '../src/delivery/alerts/alert-senders.js';
import { createHttpSender } from '../src/delivery/http-sender.js';
import type { Sender } from '../src/delivery/sender-types.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { listen } from './helpers/delivery-fixtures.js';

const T0 = 1_800_000_000_000;
const WINDOW = 300_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookd-alerts-'));
const received: { path: string; body: { type: string; data: { subject: { id: string }; state: string } } }[] = [];
let port = 0;
let closeServer: () => Promise<void> = async () => {};
let http1: Sender;
let clock = T0;
const stores: Store[] = [];

beforeAll(async () => {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof received)[number]['body'] });
      res.statusCode = req.url === '/broken' ? 503 : 204;
      res.end();
    });
  });
  ({ port, close: closeServer } = await listen(server));
  http1 = createHttpSender({ policy: createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'] }) });
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  received.length = 0;
});

afterAll(async () => {
  await http1.close();
  await closeServer();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Two "processes" on one database file. */
async function twoWorkers() {
  const file = path.join(root, `${randomBytes(6).toString('hex')}.db`);
  const box = createAesGcmBox(randomBytes(32));
  const policy = createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'] });
  const make = async () => {
    const store = createSqliteStore({ path: file, secretBox: box });
    await store.migrate();
    stores.push(store);
    const notifier = createAlertNotifier({ store, sender: createAlertSender({ http: http1, policy }), now: () => clock });
    return { store, notifier, bus: new EventBus() };
  };
  return [await make(), await make()] as const;
}

function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'rul_err',
    name: 'Error rate',
    kind: 'error_rate',
    tenant: null,
    subjects: [],
    threshold: 0.5,
    windowMs: WINDOW,
    channels: [{ id: 'chn_1', target: { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }],
    ...over,
  };
}

const ep1: AlertSubject = { kind: 'endpoint', id: 'ep_1', name: 'orders', tenant: 'acme' };
const bad = { breaching: true, summary: 'error rate 80%', value: 0.8 };
const good = { breaching: false, summary: 'error rate 2%', value: 0.02 };

describe('grouped alert notifications', () => {
  it('notifies once per window across processes, again in the next window, and resolves once', async () => {
    const [a, b] = await twoWorkers();
    clock = T0 + 1_000;
    const r = rule();
    // Both processes evaluate the same breach at once: exactly one sends.
    const first = await Promise.all([a.notifier.observe(r, ep1, bad), b.notifier.observe(r, ep1, bad)]);
    expect(first.filter((x) => x === 'fire')).toHaveLength(1);
    // Still breaching later in the same window: grouped, nothing sent.
    clock = T0 + 200_000;
    expect(await a.notifier.observe(r, ep1, bad)).toBe('none');
    expect(await b.notifier.observe(r, ep1, bad)).toBe('none');
    // The next window re-notifies once.
    clock = T0 + WINDOW + 1_000;
    expect(await b.notifier.observe(r, ep1, bad)).toBe('fire');
    expect(await a.notifier.observe(r, ep1, bad)).toBe('none');
    // It clears: one resolved notice, then silence.
    expect(await a.notifier.observe(r, ep1, good)).toBe('resolve');
    expect(await b.notifier.observe(r, ep1, good)).toBe('none');
    expect(await a.notifier.observe(r, ep1, good)).toBe('none');
    expect(received.map((m) => m.body.type)).toEqual(['hookd.alert.firing', 'hookd.alert.firing', 'hookd.alert.resolved']);
    const stored = await a.store.listAlertNotifications(undefined, 10);
    expect(stored.map((n) => [n.state, n.outcome])).toEqual([
      ['resolved', 'sent'],
      ['firing', 'sent'],
      ['firing', 'sent'],
    ]);
  });

  it('a tenant rule never fires for another tenant, and a rule limited to subjects ignores the rest', async () => {
    const [a] = await twoWorkers();
    clock = T0 + 1_000;
    expect(await a.notifier.observe(rule({ id: 'rul_t', tenant: 'globex' }), ep1, bad)).toBe('none');
    expect(await a.notifier.observe(rule({ id: 'rul_s', subjects: ['ep_2'] }), ep1, bad)).toBe('none');
    expect(await a.notifier.observe(rule({ id: 'rul_acme', tenant: 'acme' }), ep1, bad)).toBe('fire');
    expect(received).toHaveLength(1);
  });

  it('records a refusing channel as failed while the other channels still get it', async () => {
    const [a] = await twoWorkers();
    clock = T0 + 1_000;
    const r = rule({
      channels: [
        { id: 'chn_broken', target: { kind: 'slack', url: `http://127.0.0.1:${port}/broken` } },
        { id: 'chn_ok', target: { kind: 'teams', url: `http://127.0.0.1:${port}/teams` } },
      ],
    });
    expect(await a.notifier.observe(r, ep1, bad)).toBe('fire');
    expect(received.map((m) => m.path).sort()).toEqual(['/broken', '/teams']);
    const [n] = await a.store.listAlertNotifications('acme', 1);
    expect(n?.outcome).toBe('failed');
    expect(n?.error).toContain('chn_broken');
    expect(n?.error).not.toContain('chn_ok');
  });

  it('reacts to the event bus: endpoint disabled / enabled, deliveries exhausted / succeeding', async () => {
    const [a, b] = await twoWorkers();
    clock = T0 + 1_000;
    const rules = [rule({ id: 'rul_dis', kind: 'endpoint_disabled', threshold: null }), rule({ id: 'rul_exh', kind: 'deliveries_exhausted', threshold: null })];
    const errors: unknown[] = [];
    const offs = [a, b].map((w) => watchAlertBus({ bus: w.bus, notifier: w.notifier, rules: () => rules, onError: (e) => errors.push(e) }));
    const settle = async (count: number): Promise<void> => {
      for (let i = 0; i < 100 && received.length < count; i += 1) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
    };
    try {
      for (const w of [a, b]) w.bus.emit('endpoint.state', { endpointId: 'ep_1', tenant: 'acme', enabled: false, disabledReason: 'failing for 5 days' });
      await settle(1);
      const attempt = { id: 'att_1', deliveryId: 'dlv_1', endpointId: 'ep_1', eventId: 'evt_1', tenant: 'acme', code: 'http_server_error', responseStatus: 500, durationMs: 5, status: 'failed', createdAt: clock };
      for (const w of [a, b]) for (let i = 0; i < 3; i += 1) w.bus.emit('attempt.recorded', { ...attempt, id: `att_${i}`, deliveryId: `dlv_${i}` });
      await settle(2);
      a.bus.emit('endpoint.state', { endpointId: 'ep_1', tenant: 'acme', enabled: true, disabledReason: null });
      b.bus.emit('attempt.recorded', { ...attempt, status: 'succeeded', code: 'ok', responseStatus: 200 });
      await settle(4);
    } finally {
      for (const off of offs) off();
    }
    expect(errors).toEqual([]);
    const states = await a.store.listAlertNotifications(undefined, 10);
    expect(states.map((n) => `${n.ruleId}:${n.state}`).sort()).toEqual(['rul_dis:firing', 'rul_dis:resolved', 'rul_exh:firing', 'rul_exh:resolved']);
    expect(received).toHaveLength(4);
  });
});

describe('threshold rules from recorded attempts', () => {
  it('fires on an error rate and a p95 over the threshold, stays quiet below the minimum, resolves when good', async () => {
    const { evaluateThresholdRules } = await import('../src/delivery/alerts/alert-thresholds.js');
    const fx = await import('../src/store/conformance/fixtures.js');
    const [a] = await twoWorkers();
    const endpoint = await fx.addEndpoint(a.store, { tenant: 'acme' });
    const subject: AlertSubject = { kind: 'endpoint', id: endpoint.id, name: null, tenant: 'acme' };
    const record = async (at: number, ok: boolean, durationMs: number): Promise<void> => {
      await fx.publish(a.store, { createdAt: at - 1, tenant: 'acme' });
      const claim = await fx.claimOne(a.store, at);
      await a.store.recordResults([fx.resultFor(claim, { at, status: ok ? 'succeeded' : 'failed', durationMs })]);
    };
    const rules = [rule({ id: 'rul_err' }), rule({ id: 'rul_p95', kind: 'latency_p95', threshold: 1_000 })];
    const base = fx.T0;
    // Four failures: under the minimum of five attempts, nothing is decided.
    for (let i = 0; i < 4; i += 1) await record(base + 10 + i, false, 2_000);
    clock = base + 1_000;
    expect(await evaluateThresholdRules({ store: a.store, notifier: a.notifier, rules, endpoints: [subject], now: clock })).toBe(0);
    await record(base + 20, true, 50);
    expect(await evaluateThresholdRules({ store: a.store, notifier: a.notifier, rules, endpoints: [subject], now: clock })).toBe(2);
    expect(received.map((m) => m.body.type)).toEqual(['hookd.alert.firing', 'hookd.alert.firing']);
    // A later window of fast successes clears both.
    for (let i = 0; i < 5; i += 1) await record(base + WINDOW + 100 + i, true, 10);
    clock = base + WINDOW + 2_000;
    expect(await evaluateThresholdRules({ store: a.store, notifier: a.notifier, rules, endpoints: [subject], now: clock })).toBe(2);
    const stored = await a.store.listAlertNotifications('acme', 10);
    expect(stored.map((n) => `${n.ruleId}:${n.state}`).sort()).toEqual(['rul_err:firing', 'rul_err:resolved', 'rul_p95:firing', 'rul_p95:resolved']);
    expect(stored.find((n) => n.ruleId === 'rul_err' && n.state === 'firing')?.value).toBe(0.8);
  });
});
