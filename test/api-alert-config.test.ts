// /v1/alerts/channels and /v1/alerts/rules: CRUD, secrets sealed and redacted (also in the audit
// log), the SSRF policy at create, the test send against a real loopback server, tenant isolation,
// references checked by id, and bad input answered with a precise problem.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';

// Run on both stores: the same routes, each over its own database.
describe.each(['sqlite', 'postgres'] as const)('alert channel and rule API (%s)', (store) => {
  let schema: string | null = null;
  let h: Harness;
  let acmeKey: string;
  let globexKey: string;
  let server: Server;
  let hookUrl: string;
  const received: { headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(req.url === '/fail' ? 500 : 200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (store === 'postgres') schema = freshSchema('hookd_alert_api');
    h = await createHarness(schema ? { env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } } : {});
    acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
    globexKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'globex', tenant: 'globex' } })).body.key;
  });

  afterAll(async () => {
    await h.close();
    if (schema) await dropSchema(schema);
    await new Promise((r) => server.close(r));
  });

  function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, code, detail: expect.any(String) });
  }

  describe('alert channels', () => {
    it('creates a webhook channel: the secret once, never again; lists and gets it redacted', async () => {
      const created = await h.request('POST', '/v1/alerts/channels', { body: { name: 'ops', kind: 'webhook', url: `${hookUrl}/ok` } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ kind: 'webhook', tenant: null, config: { url: `${hookUrl}/ok` }, secret: expect.stringMatching(/^whsec_/) });
      const got = await h.request('GET', `/v1/alerts/channels/${created.body.id}`);
      expect(got.body.secret).toBeUndefined();
      expect(got.text).not.toContain(created.body.secret);
      const list = await h.request('GET', '/v1/alerts/channels');
      expect(list.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id);
      expect(list.text).not.toContain(created.body.secret);
    });

    it('keeps Slack URLs and SMTP passwords out of every answer and out of the audit log', async () => {
      const slack = await h.request('POST', '/v1/alerts/channels', { body: { name: 'slack', kind: 'slack', url: `${hookUrl}/services/T000/B000/slacktoken123` } });
      expect(slack.status).toBe(201);
      expect(slack.body.config).toEqual({ urlHint: `${hookUrl.replace(/\/$/, '')}/…` });
      const email = await h.request('POST', '/v1/alerts/channels', {
        body: { name: 'mail', kind: 'email', host: '127.0.0.1', port: 2525, username: 'ops', password: 'smtp-pass-xyz', from: 'hookd@example.com', to: ['oncall@example.com'] },
      });
      expect(email.status).toBe(201);
      expect(email.body.config).toEqual({ host: '127.0.0.1', port: 2525, secure: false, username: 'ops', hasPassword: true, from: 'hookd@example.com', to: ['oncall@example.com'] });
      const patched = await h.request('PATCH', `/v1/alerts/channels/${slack.body.id}`, { body: { url: `${hookUrl}/services/T000/B000/newtoken456` } });
      expect(patched.status).toBe(200);
      const everything = [slack.text, email.text, patched.text, (await h.request('GET', '/v1/alerts/channels')).text, (await h.request('GET', '/v1/audit?limit=200')).text].join('\n');
      for (const secret of ['slacktoken123', 'newtoken456', 'smtp-pass-xyz']) expect(everything).not.toContain(secret);
      const audit = await h.request('GET', '/v1/audit?limit=200');
      expect(audit.body.data.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['alert_channel.create', 'alert_channel.update']));
    });

    it('vets URLs and SMTP hosts with the SSRF policy, and refuses settings of another kind', async () => {
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'webhook', url: 'http://10.1.2.3/hook' } }), 422, 'blocked_address');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'slack', url: 'http://169.254.169.254/latest' } }), 422, 'blocked_address');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'teams', url: 'amqp://127.0.0.1/q' } }), 422, 'invalid_url');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'email', host: '10.0.0.5', from: 'a@example.com', to: ['b@example.com'] } }), 422, 'blocked_address');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'webhook' } }), 400, 'validation_failed');
      const mixed = await h.request('POST', '/v1/alerts/channels', { body: { name: 'x', kind: 'webhook', url: `${hookUrl}/ok`, host: 'smtp.example.com' } });
      expectProblem(mixed, 400, 'validation_failed');
      expect(mixed.body.errors[0].path).toBe('/body/host');
    });

    it('refuses hostile values: header injection in addresses, odd host names, NUL in text', async () => {
      const base = { name: 'x', kind: 'email', host: '127.0.0.1', from: 'a@example.com', to: ['b@example.com'] };
      const inj = await h.request('POST', '/v1/alerts/channels', { body: { ...base, to: ['b@example.com\r\nBcc: evil@example.com'] } });
      expectProblem(inj, 400, 'validation_failed');
      expect(inj.body.errors[0].path).toBe('/body/to/0');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { ...base, from: 'Evil <a@example.com>' } }), 400, 'validation_failed');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { ...base, host: 'smtp.example.com/../x' } }), 400, 'validation_failed');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { body: { ...base, password: 'p' } }), 400, 'validation_failed');
      const nul = await h.request('POST', '/v1/alerts/channels', { body: { ...base, name: 'a\u0000b' } });
      expect(nul.status).toBe(400);
    });

    it('sends a signed test notification to a real server and answers the outcome, failed ones too', async () => {
      const ok = await h.request('POST', '/v1/alerts/channels', { body: { name: 'test-ok', kind: 'webhook', url: `${hookUrl}/ok` } });
      received.length = 0;
      const sent = await h.request('POST', `/v1/alerts/channels/${ok.body.id}/test`, { body: {} });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ ok: true, status: 200, error: null });
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['webhook-signature']).toMatch(/^v1,/);
      expect(JSON.parse(received[0]!.body).type).toBe('hookd.alert.firing');
      const bad = await h.request('POST', '/v1/alerts/channels', { body: { name: 'test-bad', kind: 'slack', url: `${hookUrl}/fail` } });
      const failed = await h.request('POST', `/v1/alerts/channels/${bad.body.id}/test`, { body: {} });
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ ok: false, status: 500, error: expect.any(String) });
      expectProblem(await h.request('POST', '/v1/alerts/channels/ach_nope/test', { body: {} }), 404, 'not_found');
    });

    it('scopes channels to the tenant of the key', async () => {
      const mine = await h.request('POST', '/v1/alerts/channels', { key: acmeKey, body: { name: 'acme hook', kind: 'webhook', url: `${hookUrl}/ok` } });
      expect(mine.status).toBe(201);
      expect(mine.body.tenant).toBe('acme');
      expectProblem(await h.request('POST', '/v1/alerts/channels', { key: acmeKey, body: { name: 'x', kind: 'webhook', url: `${hookUrl}/ok`, tenant: 'globex' } }), 403, 'forbidden');
      const acmeList = await h.request('GET', '/v1/alerts/channels', { key: acmeKey });
      expect(acmeList.body.data.map((c: { tenant: string | null }) => c.tenant)).toEqual(['acme']);
      expectProblem(await h.request('GET', `/v1/alerts/channels/${mine.body.id}`, { key: globexKey }), 404, 'not_found');
      expectProblem(await h.request('PATCH', `/v1/alerts/channels/${mine.body.id}`, { key: globexKey, body: { name: 'stolen' } }), 404, 'not_found');
      expectProblem(await h.request('DELETE', `/v1/alerts/channels/${mine.body.id}`, { key: globexKey }), 404, 'not_found');
      expectProblem(await h.request('POST', `/v1/alerts/channels/${mine.body.id}/test`, { key: globexKey, body: {} }), 404, 'not_found');
      expect((await h.request('DELETE', `/v1/alerts/channels/${mine.body.id}`, { key: acmeKey })).status).toBe(204);
    });
  });

  describe('alert rules', () => {
    let opsChannel: string;
    let acmeChannel: string;
    let acmeEndpoint: string;

    beforeAll(async () => {
      opsChannel = (await h.request('POST', '/v1/alerts/channels', { body: { name: 'ops', kind: 'webhook', url: `${hookUrl}/ok` } })).body.id;
      acmeChannel = (await h.request('POST', '/v1/alerts/channels', { key: acmeKey, body: { name: 'acme', kind: 'webhook', url: `${hookUrl}/ok` } })).body.id;
      acmeEndpoint = (await h.request('POST', '/v1/endpoints', { key: acmeKey, body: { url: `${hookUrl}/ok` } })).body.id;
    });

    it('creates, gets, updates and deletes a rule; a tenant key writes into its own tenant', async () => {
      const created = await h.request('POST', '/v1/alerts/rules', { key: acmeKey, body: { name: 'errors', kind: 'error_rate', threshold: 0.5, windowSeconds: 300, endpoints: [acmeEndpoint], channels: [acmeChannel] } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ kind: 'error_rate', tenant: 'acme', threshold: 0.5, windowSeconds: 300, endpoints: [acmeEndpoint], sources: [], channels: [acmeChannel], enabled: true });
      const patched = await h.request('PATCH', `/v1/alerts/rules/${created.body.id}`, { key: acmeKey, body: { threshold: 0.25, enabled: false } });
      expect(patched.body).toMatchObject({ threshold: 0.25, enabled: false });
      expect((await h.request('GET', `/v1/alerts/rules/${created.body.id}`)).body.threshold).toBe(0.25);
      expect((await h.request('GET', '/v1/alerts/rules', { key: globexKey })).body.data).toEqual([]);
      expectProblem(await h.request('GET', `/v1/alerts/rules/${created.body.id}`, { key: globexKey }), 404, 'not_found');
      expectProblem(await h.request('DELETE', `/v1/alerts/channels/${acmeChannel}`, { key: acmeKey }), 409, 'alert_channel_in_use');
      expectProblem(await h.request('DELETE', `/v1/alerts/rules/${created.body.id}`, { key: globexKey }), 404, 'not_found');
      expect((await h.request('DELETE', `/v1/alerts/rules/${created.body.id}`, { key: acmeKey })).status).toBe(204);
      expectProblem(await h.request('GET', `/v1/alerts/rules/${created.body.id}`), 404, 'not_found');
    });

    it('refuses unknown channels, another tenant\'s channel, and unknown endpoints or sources by id', async () => {
      const unknown = await h.request('POST', '/v1/alerts/rules', { body: { name: 'x', kind: 'endpoint_disabled', channels: [opsChannel, 'ach_missing'] } });
      expectProblem(unknown, 422, 'unknown_alert_channel');
      expect(unknown.body.errors).toEqual([{ path: '/body/channels/1', message: expect.any(String) }]);
      expectProblem(await h.request('POST', '/v1/alerts/rules', { key: acmeKey, body: { name: 'x', kind: 'endpoint_disabled', channels: [opsChannel] } }), 422, 'unknown_alert_channel');
      expectProblem(await h.request('POST', '/v1/alerts/rules', { key: globexKey, body: { name: 'x', kind: 'endpoint_disabled', channels: [acmeChannel] } }), 422, 'unknown_alert_channel');
      expectProblem(await h.request('POST', '/v1/alerts/rules', { body: { name: 'x', kind: 'endpoint_disabled', tenant: 'globex', channels: [acmeChannel] } }), 422, 'unknown_alert_channel');
      const ghost = await h.request('POST', '/v1/alerts/rules', { key: acmeKey, body: { name: 'x', kind: 'deliveries_exhausted', endpoints: ['ep_ghost'], channels: [acmeChannel] } });
      expectProblem(ghost, 422, 'unknown_alert_subject');
      expect(ghost.body.errors[0].path).toBe('/body/endpoints/0');
      expectProblem(await h.request('POST', '/v1/alerts/rules', { key: acmeKey, body: { name: 'x', kind: 'source_rejecting', threshold: 0.5, sources: ['src_ghost'], channels: [acmeChannel] } }), 422, 'unknown_alert_subject');
      expectProblem(await h.request('POST', '/v1/alerts/rules', { key: globexKey, body: { name: 'x', kind: 'deliveries_exhausted', tenant: 'acme', channels: [acmeChannel] } }), 403, 'forbidden');
    });

    it('checks the threshold against the kind', async () => {
      const rule = (body: Record<string, unknown>) => h.request('POST', '/v1/alerts/rules', { body: { name: 'x', channels: [opsChannel], ...body } });
      for (const body of [
        { kind: 'error_rate' },
        { kind: 'error_rate', threshold: 1.5 },
        { kind: 'error_rate', threshold: 0 },
        { kind: 'source_rejecting', threshold: -1 },
        { kind: 'latency_p95', threshold: 0 },
        { kind: 'latency_p95', threshold: 10_000_000 },
        { kind: 'endpoint_disabled', threshold: 0.5 },
        { kind: 'source_rejecting', threshold: 0.5, endpoints: [acmeEndpoint] },
        { kind: 'error_rate', threshold: 0.5, sources: ['src_x'] },
      ]) {
        const res = await rule(body);
        expectProblem(res, 400, 'validation_failed');
      }
      expect((await rule({ kind: 'latency_p95', threshold: 2000, windowSeconds: 60 })).status).toBe(201);
    });

    it('answers bad input with a problem, never a 500', async () => {
      const raw = (method: string, url: string, rawBody: string) => h.request(method, url, { rawBody, headers: { 'content-type': 'application/json' } });
      for (const url of ['/v1/alerts/rules', '/v1/alerts/channels']) {
        expectProblem(await raw('POST', url, '{"name": "x",'), 400, 'invalid_json');
        expectProblem(await raw('POST', url, JSON.stringify({ name: 'x', kind: 'webhook', url: 'a'.repeat(2_000_000) })), 413, 'payload_too_large');
        expectProblem(await h.request('POST', url, { key: null, body: {} }), 401, 'unauthorized');
        expectProblem(await h.request('POST', url, { key: 'hk_wrong_key_000000000', body: {} }), 401, 'unauthorized');
        expectProblem(await h.request('GET', url, { key: null }), 401, 'unauthorized');
      }
      for (const body of [{ name: 5, kind: 'webhook' }, { name: 'x', kind: 'carrier-pigeon' }, { name: 'x', kind: 'email', port: 'smtp' }, { name: 'x', kind: 'email', to: 'a@b.c' }]) {
        expectProblem(await h.request('POST', '/v1/alerts/channels', { body }), 400, 'validation_failed');
      }
      for (const body of [{ name: 'x', kind: 'error_rate', threshold: '0.5', channels: [opsChannel] }, { name: 'x', kind: 'error_rate', threshold: 0.5, channels: [] }, { name: 'x', kind: 'error_rate', threshold: 0.5, channels: [opsChannel], windowSeconds: 1 }, { name: 'x', kind: 'error_rate', threshold: 0.5, channels: [opsChannel, opsChannel] }]) {
        expectProblem(await h.request('POST', '/v1/alerts/rules', { body }), 400, 'validation_failed');
      }
      expectProblem(await h.request('PATCH', '/v1/alerts/rules/arl_x', { body: {} }), 400, 'validation_failed');
      expectProblem(await h.request('PATCH', `/v1/alerts/channels/${opsChannel}`, { body: { kind: 'slack' } }), 400, 'validation_failed');
      expectProblem(await h.request('GET', `/v1/alerts/rules/${'x'.repeat(100)}`), 400, 'validation_failed');
    });
  });

  it('runs on the store it names', () => {
    expect(h.runtime.store.dialect).toBe(store);
  });
});
