// The alert evaluator running for real in the worker role: stored rules and channels created over
// the API, a failing endpoint on a loopback server, two worker processes on one database (two
// runtimes sharing the SQLite file and secret key), a webhook channel and an SMTP channel against a
// real SMTP server. Many failures make exactly one firing notification per rule, endpoint and
// window; recovery makes one resolved notice; a source rejecting its requests fires too.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { postIngress } from './inbound-helpers.js';

const SECRET_KEY = 'a'.repeat(64);
let a: Harness;
let b: Harness;
let hooks: Server;
let hooksUrl: string;
let smtp: SMTPServer;
let smtpPort = 0;
let failing = true;
const alerts: { type: string; data: { state: string; rule: { id: string }; subject: { id: string } } }[] = [];
const mails: string[] = [];

async function eventually(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/alerts') {
        alerts.push(JSON.parse(body));
        res.writeHead(204).end();
      } else res.writeHead(failing ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hooksUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString());
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  const env = { HOOKD_ALERT_EVALUATE_MS: '150', HOOKD_SECRET_KEY: SECRET_KEY };
  a = await createHarness({ env });
  b = await createHarness({ env: { ...env, DATABASE_URL: `sqlite:${join(a.dir, 'hookd.db')}` } });
}, 30_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await new Promise((r) => hooks.close(r));
  await new Promise<void>((r) => smtp.close(() => r()));
});

describe('alerts in the worker', () => {
  it('both processes share the one database', async () => {
    expect(b.runtime.alerts).not.toBeNull();
    const key = await a.request('POST', '/v1/api-keys', { body: { name: 'seen by b' } });
    expect((await b.request('GET', '/v1/api-keys')).body.data.map((k: { id: string }) => k.id)).toContain(key.body.id);
  });

  it('fires once per rule and endpoint however many failures and workers, resolves once after recovery, and mails', async () => {
    const hook = (await a.request('POST', '/v1/alerts/channels', { body: { name: 'hook', kind: 'webhook', url: `${hooksUrl}/alerts` } })).body.id;
    const mail = (
      await a.request('POST', '/v1/alerts/channels', { body: { name: 'mail', kind: 'email', host: '127.0.0.1', port: smtpPort, from: 'hookd@example.com', to: ['oncall@example.com'] } })
    ).body.id;
    const endpoint = (await a.request('POST', '/v1/endpoints', { body: { url: `${hooksUrl}/receiver`, eventTypes: ['order.paid'], retrySchedule: [0] } })).body.id;
    const exhausted = (await a.request('POST', '/v1/alerts/rules', { body: { name: 'exhausted', kind: 'deliveries_exhausted', endpoints: [endpoint], channels: [hook, mail] } })).body.id;
    const errors = (await a.request('POST', '/v1/alerts/rules', { body: { name: 'errors', kind: 'error_rate', threshold: 0.5, windowSeconds: 3600, endpoints: [endpoint], channels: [hook] } })).body.id;
    // Both workers pick the rules up on their next refresh.
    await eventually(() => a.runtime.alerts!.rules().length === 2 && b.runtime.alerts!.rules().length === 2);

    for (let i = 0; i < 12; i += 1) await (i % 2 === 0 ? a : b).request('POST', '/v1/events', { body: { type: 'order.paid', data: { i } } });
    const firing = (rule: string) => alerts.filter((n) => n.type === 'hookd.alert.firing' && n.data.rule.id === rule);
    await eventually(() => firing(exhausted).length >= 1 && firing(errors).length >= 1);
    await eventually(async () => (await a.request('GET', `/v1/deliveries?endpoint=${endpoint}&status=failed&limit=50`)).body.data?.length >= 12);
    await new Promise((r) => setTimeout(r, 600)); // several more evaluations on both workers
    expect(firing(exhausted)).toHaveLength(1);
    expect(firing(errors)).toHaveLength(1);
    expect(firing(errors)[0]!.data.subject.id).toBe(endpoint);
    await eventually(() => mails.length === 1);
    expect(mails[0]).toContain('oncall@example.com');
    expect(mails[0]).toContain('exhausted');

    failing = false;
    for (let i = 0; i < 14; i += 1) await a.request('POST', '/v1/events', { body: { type: 'order.paid', data: { ok: i } } });
    const resolved = (rule: string) => alerts.filter((n) => n.type === 'hookd.alert.resolved' && n.data.rule.id === rule);
    await eventually(() => resolved(exhausted).length >= 1 && resolved(errors).length >= 1);
    await new Promise((r) => setTimeout(r, 600));
    expect(resolved(exhausted)).toHaveLength(1);
    expect(resolved(errors)).toHaveLength(1);
    const listed = (await a.request('GET', '/v1/alerts/notifications?limit=50')).body.data.filter((n: { rule: string }) => n.rule === exhausted || n.rule === errors);
    expect(listed.map((n: { state: string }) => n.state).sort()).toEqual(['firing', 'firing', 'resolved', 'resolved']);
    expect(listed.every((n: { outcome: string }) => n.outcome === 'sent')).toBe(true);
  }, 60_000);

  it('fires source_rejecting when most inbound requests are rejected', async () => {
    const hook = (await a.request('POST', '/v1/alerts/channels', { body: { name: 'src hook', kind: 'webhook', url: `${hooksUrl}/alerts` } })).body.id;
    const source = (await a.request('POST', '/v1/sources', { body: { name: 'provider', verify: { scheme: 'hmac', header: 'X-Sig', secret: 'provider-secret' }, eventType: 'in.x' } })).body.id;
    const rule = (await a.request('POST', '/v1/alerts/rules', { body: { name: 'rejecting', kind: 'source_rejecting', threshold: 0.5, windowSeconds: 3600, sources: [source], channels: [hook] } })).body.id;
    for (let i = 0; i < 6; i += 1) expect((await postIngress(a, source, `{"n":${i}}`, { 'x-sig': 'wrong' })).status).toBe(401);
    await eventually(() => alerts.some((n) => n.type === 'hookd.alert.firing' && n.data.rule.id === rule && n.data.subject.id === source));
    await new Promise((r) => setTimeout(r, 500));
    expect(alerts.filter((n) => n.data.rule.id === rule)).toHaveLength(1);
  }, 30_000);
});
