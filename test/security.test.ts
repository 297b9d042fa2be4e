// Endpoint security end to end (issue 3): every auth mode against a real receiver that enforces it,
// SSRF refused at create and at send (DNS rebinding included), nothing secret on disk in clear,
// HTTPS serving, and the abuse limits.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver } from './helpers/receiver.js';
import { listen, scriptedLookup, testPki } from './helpers/delivery-fixtures.js';

async function firstAttempt(h: Harness, eventId: string): Promise<any> {
  return eventually(async () => {
    const list = await h.request('GET', `/v1/deliveries?event=${eventId}`);
    const d = list.body.data[0];
    if (!d || d.attempts === 0) return null;
    return (await h.request('GET', `/v1/deliveries/${d.id}`)).body.attempts[0];
  });
}

async function publishTo(h: Harness, endpoint: Record<string, unknown>): Promise<{ endpointId: string; eventId: string }> {
  const type = `sec.${Math.random().toString(36).slice(2, 8)}`;
  const ep = await h.request('POST', '/v1/endpoints', { body: { ...endpoint, eventTypes: [type], retrySchedule: [0] } });
  expect(ep.status, JSON.stringify(ep.body)).toBe(201);
  const evt = await h.request('POST', '/v1/events', { body: { type, data: { hello: 'world' } } });
  return { endpointId: ep.body.id, eventId: evt.body.id };
}

/** A receiver that answers 200 only when `check` accepts the request, 401 otherwise. */
async function enforcing(check: (req: IncomingMessage) => boolean) {
  return startReceiver((req, res) => {
    const fake = { headers: req.headers } as unknown as IncomingMessage;
    res.writeHead(check(fake) ? 200 : 401).end();
  });
}

describe('endpoint authentication against enforcing receivers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  it('basic', async () => {
    const expected = `Basic ${Buffer.from('crm:s3cret!').toString('base64')}`;
    const r = await enforcing((req) => req.headers.authorization === expected);
    try {
      const ok = await publishTo(h, { url: r.url, auth: { type: 'basic', username: 'crm', password: 's3cret!' } });
      expect((await firstAttempt(h, ok.eventId)).code).toBe('ok');
      const bad = await publishTo(h, { url: r.url, auth: { type: 'basic', username: 'crm', password: 'wrong' } });
      expect((await firstAttempt(h, bad.eventId)).code).toBe('http_unauthorized');
    } finally {
      await r.close();
    }
  });

  it('bearer and header (API key)', async () => {
    const r = await enforcing((req) => req.headers.authorization === 'Bearer tok-1' || req.headers['x-api-key'] === 'key-2');
    try {
      const bearer = await publishTo(h, { url: r.url, auth: { type: 'bearer', token: 'tok-1' } });
      expect((await firstAttempt(h, bearer.eventId)).code).toBe('ok');
      const header = await publishTo(h, { url: r.url, auth: { type: 'header', name: 'X-Api-Key', value: 'key-2' } });
      const attempt = await firstAttempt(h, header.eventId);
      expect(attempt.code).toBe('ok');
      expect(attempt.request.headers['x-api-key']).toBe('[redacted]');
      const none = await publishTo(h, { url: r.url });
      expect((await firstAttempt(h, none.eventId)).code).toBe('http_unauthorized');
    } finally {
      await r.close();
    }
  });

  it('oauth2 client credentials: token fetched, cached, refreshed once on 401', async () => {
    let issued = 0;
    const tokenRequests: string[] = [];
    const tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        tokenRequests.push(body);
        const params = new URLSearchParams(body);
        if (params.get('client_secret') !== 'cs-1') return res.writeHead(401).end('{"error":"invalid_client"}');
        issued++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `at-${issued}`, token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    const token = await listen(tokenServer);
    // The receiver accepts only the newest token: the first delivery revokes token 1 early.
    let valid = 'at-1';
    const r = await enforcing((req) => req.headers.authorization === `Bearer ${valid}`);
    try {
      const tokenUrl = `http://127.0.0.1:${token.port}/token`;
      const auth = { type: 'oauth2', tokenUrl, clientId: 'hookd', clientSecret: 'cs-1', scope: 'webhooks' };
      const first = await publishTo(h, { url: r.url, auth });
      expect((await firstAttempt(h, first.eventId)).code).toBe('ok');
      expect(tokenRequests[0]).toContain('grant_type=client_credentials');
      expect(tokenRequests[0]).toContain('scope=webhooks');
      valid = 'at-2';
      // Same endpoint: the cached token gets a 401, hookd refreshes once and succeeds.
      const evt = await h.request('POST', '/v1/events', { body: { type: (await h.request('GET', `/v1/endpoints/${first.endpointId}`)).body.eventTypes[0], data: {} } });
      expect((await firstAttempt(h, evt.body.id)).code).toBe('ok');
      expect(issued).toBe(2);
      // A token server refusing the client: the attempt fails with its own code, no crash.
      const bad = await publishTo(h, { url: r.url, auth: { ...auth, clientSecret: 'wrong' } });
      const attempt = await firstAttempt(h, bad.eventId);
      expect(attempt.code).toBe('auth_token_failed');
      expect(attempt.message).not.toContain('wrong');
    } finally {
      await r.close();
      await token.close();
    }
  });

  it('mtls: the receiver requires and verifies a client certificate', async () => {
    const pki = await testPki();
    const server = createHttpsServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      res.writeHead(200).end('mtls ok');
    });
    const s = await listen(server);
    try {
      const url = `https://localhost:${s.port}/hook`;
      const lookup = await createHarness({}, { lookup: scriptedLookup(['127.0.0.1']) });
      try {
        const ok = await publishTo(lookup, { url, auth: { type: 'mtls', cert: pki.client.cert, key: pki.client.key, ca: pki.caCert } });
        const attempt = await firstAttempt(lookup, ok.eventId);
        expect(attempt).toMatchObject({ code: 'ok', responseStatus: 200 });
        const ep = await lookup.request('GET', `/v1/endpoints/${ok.endpointId}`);
        expect(ep.body.auth.key).toBe('[redacted]');
      } finally {
        await lookup.close();
      }
    } finally {
      await s.close();
    }
  });
});

describe('SSRF', () => {
  const forms = [
    'http://127.0.0.1/x',
    'http://localhost/x',
    'http://2130706433/x',
    'http://0x7f000001/x',
    'http://0177.0.0.1/x',
    'http://127.1/x',
    'http://10.0.0.5/x',
    'http://172.16.3.4/x',
    'http://192.168.1.1/x',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/x',
    'http://0.0.0.0/x',
    'http://[::1]/x',
    'http://[::]/x',
    'http://[fc00::1]/x',
    'http://[fe80::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://[::127.0.0.1]/x',
    'http://[64:ff9b::7f00:1]/x',
    'http://[2002:7f00:1::]/x',
    'http://[::5efe:7f00:1]/x',
    'http://224.0.0.1/x',
  ];

  it('refuses every private form at endpoint creation by default', async () => {
    const h = await createHarness({ allowPrivate: [] });
    try {
      for (const url of forms) {
        const res = await h.request('POST', '/v1/endpoints', { body: { url } });
        expect(res.status, url).toBe(422);
        expect(res.body.code, url).toBe('blocked_address');
      }
      const update = await h.request('PATCH', '/v1/endpoints/ep_x', { body: { url: 'http://127.0.0.1/' } });
      expect(update.status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('the allowlist opens exactly the listed range', async () => {
    const h = await createHarness({ allowPrivate: ['10.0.0.0/8'] });
    try {
      expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://10.1.2.3/x' } })).status).toBe(201);
      expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/x' } })).body.code).toBe('blocked_address');
    } finally {
      await h.close();
    }
  });

  it('DNS rebinding: public at creation, loopback at send -> blocked at send, nothing connects', async () => {
    const r = await startReceiver();
    const port = Number(new URL(r.url).port);
    const lookup = scriptedLookup(['93.184.216.34'], ['127.0.0.1']);
    const h = await createHarness({ allowPrivate: [] }, { lookup });
    try {
      const ep = await h.request('POST', '/v1/endpoints', { body: { url: `http://rebind.example:${port}/hook`, eventTypes: ['rebind.x'], retrySchedule: [0] } });
      expect(ep.status).toBe(201);
      const evt = await h.request('POST', '/v1/events', { body: { type: 'rebind.x', data: {} } });
      const attempt = await firstAttempt(h, evt.body.id);
      expect(attempt.code).toBe('blocked_address');
      expect(attempt.message).toContain('127.0.0.1');
      expect(r.requests).toHaveLength(0);
    } finally {
      await h.close();
      await r.close();
    }
  });
});

describe('secrets at rest', () => {
  it('finds no signing secret, credential or API key in clear in the database files', async () => {
    const h = await createHarness();
    try {
      const ep = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', auth: { type: 'basic', username: 'u', password: 'P4ssw0rd-in-clear?' }, headers: { 'x-visible': 'plain-marker-123' } } });
      const ep2 = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/y', auth: { type: 'oauth2', tokenUrl: 'http://127.0.0.1:9/t', clientId: 'c', clientSecret: 'client-secret-xyz' } } });
      const key = await h.request('POST', '/v1/api-keys', { body: { name: 'ci', tenant: 'acme' } });
      const secrets = [ep.body.secret, ep.body.secret.slice(6), 'P4ssw0rd-in-clear?', 'client-secret-xyz', key.body.key, ep2.body.secret];
      const files = readdirSync(h.dir).filter((f) => f.startsWith('hookd.db'));
      expect(files.length).toBeGreaterThan(0);
      const bytes = Buffer.concat(files.map((f) => readFileSync(join(h.dir, f))));
      expect(bytes.includes(Buffer.from('plain-marker-123'))).toBe(true);
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `found ${s.slice(0, 8)}… in clear`).toBe(false);
      // The generated encryption key file is private.
      expect(statSync(join(h.dir, 'secret.key')).mode & 0o777).toBe(0o600);
      // Revocation takes effect at once.
      expect((await h.request('GET', '/v1/endpoints', { key: key.body.key })).status).toBe(200);
      expect((await h.request('DELETE', `/v1/api-keys/${key.body.id}`)).status).toBe(204);
      expect((await h.request('GET', '/v1/endpoints', { key: key.body.key })).status).toBe(401);
    } finally {
      await h.close();
    }
  });
});

describe('HTTPS and limits', () => {
  it('serves the API over TLS with --tls-cert/--tls-key', async () => {
    const pki = await testPki();
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'hookd-tls-'));
    const fs = await import('node:fs');
    fs.writeFileSync(join(dir, 'cert.pem'), pki.server.cert);
    fs.writeFileSync(join(dir, 'key.pem'), pki.server.key);
    const h = await createHarness({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    try {
      await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = h.runtime.app.server.address() as { port: number };
      const dispatcher = new Agent({ connect: { ca: pki.caCert } });
      const res = await undiciRequest(`https://localhost:${port}/healthz`, { dispatcher });
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toMatchObject({ status: 'ok' });
      await dispatcher.close();
    } finally {
      await h.close();
    }
  });

  it('--require-https refuses http:// endpoints', async () => {
    const h = await createHarness({ requireHttps: true });
    try {
      const res = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/x' } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_url');
    } finally {
      await h.close();
    }
  });

  it('rate limits each API key with 429 and Retry-After', async () => {
    const h = await createHarness({ apiRateLimit: 5 });
    try {
      const statuses: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 20; i++) {
        const res = await h.request('GET', '/v1/endpoints');
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers['retry-after'];
      }
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await h.close();
    }
  });

  it('caps endpoints per tenant', async () => {
    const h = await createHarness({ maxEndpointsPerTenant: 2 });
    try {
      for (let i = 0; i < 2; i++) expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/x', tenant: 't1' } })).status).toBe(201);
      const third = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/x', tenant: 't1' } });
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('endpoint_limit_reached');
      expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/x', tenant: 't2' } })).status).toBe(201);
    } finally {
      await h.close();
    }
  });

  it('refuses oversized request headers on a real socket', async () => {
    const h = await createHarness();
    try {
      const address = await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
      const res = await undiciRequest(`${address}/healthz`, { headers: { 'x-big': 'a'.repeat(20_000) } });
      expect(res.statusCode).toBe(431);
      await res.body.dump();
    } finally {
      await h.close();
    }
  });
});
