// Portal links with options: read-only mode (enforced by the API, not just hidden in the page) and a
// theme signed into the token; bad options are precise problems; plus the favicon the pages ask for.

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let tenantKey: string;

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}
const link = (body: unknown, key?: string) => h.request('POST', '/v1/portal-links', { body, ...(key ? { key } : {}) });
/** A link's session (the link itself authenticates only its exchange). */
async function session(linkToken: string): Promise<string> {
  const res = await h.request('POST', '/v1/portal/session', { key: `portal_${linkToken}` });
  expect(res.status).toBe(201);
  return `portal_${res.body.token as string}`;
}

beforeAll(async () => {
  h = await createHarness({});
  tenantKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
  expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/acme', tenant: 'acme' } })).status).toBe(201);
});
afterAll(async () => h?.close());

describe('portal links: read-only and theme', () => {
  it('a read-only link reads everything of its tenant and changes nothing', async () => {
    const res = await link({ tenant: 'acme', ttlSeconds: 300, readOnly: true, theme: { brandName: 'Acme webhooks', primaryColor: '#0f766e', logoUrl: 'https://cdn.example.com/logo.svg' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenant: 'acme', readOnly: true, theme: { brandName: 'Acme webhooks', primaryColor: '#0f766e' } });
    const key = await session(res.body.token);
    const who = await h.request('GET', '/v1/meta/whoami', { key });
    expect(who.body).toMatchObject({ role: 'tenant', tenant: 'acme', portal: true, portalOptions: { readOnly: true, theme: { brandName: 'Acme webhooks', logoUrl: 'https://cdn.example.com/logo.svg', primaryColor: '#0f766e' } } });
    const list = await h.request('GET', '/v1/endpoints', { key });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const refused = await h.request('POST', '/v1/endpoints', { key, body: { url: 'http://127.0.0.1:9/x' } });
    expectProblem(refused, 403, 'forbidden');
    expect(refused.body.detail).toContain('read-only');
    expectProblem(await h.request('PATCH', `/v1/endpoints/${list.body.data[0].id}`, { key, body: { enabled: false } }), 403, 'forbidden');
    expectProblem(await h.request('DELETE', `/v1/endpoints/${list.body.data[0].id}`, { key }), 403, 'forbidden');
    expect((await h.request('GET', `/v1/endpoints/${list.body.data[0].id}`)).body.enabled).toBe(true);
    // Other spellings of the same routes reach the same handlers, so they are refused just the same.
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.runtime.app.server.address() as { port: number };
    for (const path of ['/%761/endpoints', '/x/../v1/endpoints', `http://127.0.0.1:${port}/v1/endpoints`, '/v1/./endpoints']) {
      const res = await new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ url: 'http://127.0.0.1:9/sneaky' });
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
      expect([403, 404], path).toContain(res);
    }
    expect((await h.request('GET', '/v1/endpoints')).body.data.filter((e: { url: string }) => e.url.includes('sneaky'))).toEqual([]);
  });

  it('a normal portal link may still change its tenant, and carries no options', async () => {
    const res = await link({ tenant: 'acme', ttlSeconds: 300 });
    expect(res.body).toMatchObject({ readOnly: false, theme: null });
    const key = await session(res.body.token);
    expect((await h.request('GET', '/v1/meta/whoami', { key })).body.portalOptions).toMatchObject({ readOnly: false, theme: null });
    expect((await h.request('POST', '/v1/endpoints', { key, body: { url: 'http://127.0.0.1:9/y' } })).status).toBe(201);
    // API keys have no portal options.
    expect((await h.request('GET', '/v1/meta/whoami', { key: tenantKey })).body.portalOptions).toBeNull();
  });

  it('the read-only flag cannot be removed from a token: a changed payload fails its signature', async () => {
    const token: string = (await link({ tenant: 'acme', ttlSeconds: 300, readOnly: true })).body.token;
    const [v, payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    delete claims.r;
    const forged = `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;
    expectProblem(await h.request('POST', '/v1/endpoints', { key: `portal_${forged}`, body: { url: 'http://127.0.0.1:9/z' } }), 401, 'unauthorized');
  });

  it('refuses bad options with 400 naming the field', async () => {
    for (const [theme, path] of [
      [{ primaryColor: 'red' }, '/body/theme/primaryColor'],
      [{ primaryColor: '#12345' }, '/body/theme/primaryColor'],
      [{ logoUrl: 'javascript:alert(1)' }, '/body/theme/logoUrl'],
      [{ logoUrl: 'http://cdn.example.com/logo.png' }, '/body/theme/logoUrl'],
      [{ brandName: '<b>x</b>' }, '/body/theme/brandName'],
      [{ brandName: '' }, '/body/theme/brandName'],
      [{ font: 'Comic Sans' }, '/body/theme/font'],
    ] as const) {
      const res = await link({ tenant: 'acme', theme });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { path: string }) => e.path), JSON.stringify(theme)).toContain(path);
    }
    expectProblem(await link({ tenant: 'acme', readOnly: 'yes' }), 400, 'validation_failed');
    expectProblem(await link({ tenant: 'acme', theme: 'blue' }), 400, 'validation_failed');
    const malformed = await h.request('POST', '/v1/portal-links', { rawBody: '{"tenant": "acme",', headers: { 'content-type': 'application/json' } });
    expectProblem(malformed, 400, 'invalid_json');
  });

  it('only an admin creates links; without a key it is 401', async () => {
    expectProblem(await link({ tenant: 'acme', readOnly: true }, tenantKey), 403, 'forbidden');
    expectProblem(await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme' }, key: null }), 401, 'unauthorized');
  });

  it('the portal page may show a logo from an https: host; the dashboard may not', async () => {
    const token = (await link({ tenant: 'acme', ttlSeconds: 300 })).body.token;
    const portal = await h.request('GET', `/portal?token=${encodeURIComponent(token)}`, { key: null });
    expect(String(portal.headers['content-security-policy'])).toContain("img-src 'self' data: https:");
    const dashboard = await h.request('GET', '/', { key: null });
    expect(String(dashboard.headers['content-security-policy'])).toContain("img-src 'self' data:;");
  });

  it('serves a favicon at /favicon.svg and /favicon.ico', async () => {
    for (const path of ['/favicon.svg', '/favicon.ico']) {
      const res = await h.request('GET', path, { key: null });
      expect(res.status, path).toBe(200);
      expect(String(res.headers['content-type']), path).toContain('image/svg+xml');
      expect(res.text).toContain('<svg');
    }
  });
});
