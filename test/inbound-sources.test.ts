// The sources API: validation, secrets shown once, tenant scoping, the request log's filters and
// pagination, deletion, and the ingress URL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.js';
import { createInboundHarness, createSource, postIngress } from './inbound-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createInboundHarness();
});
afterAll(async () => {
  await h.close();
});

async function tenantKey(tenant: string): Promise<string> {
  const res = await h.request('POST', '/v1/api-keys', { body: { tenant } });
  return res.body.key;
}

describe('create and validate', () => {
  it('201 with the ingress URL and the generated secret, once', async () => {
    const res = await h.request('POST', '/v1/sources', { body: { name: 'hookd peer', verify: { scheme: 'standard-webhooks' } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^src_/), name: 'hookd peer', tenant: null, allowIps: null, eventType: null, maxBodyBytes: null });
    expect(res.body.ingressUrl).toBe(`http://localhost:80/in/${res.body.id}`);
    expect(res.body.verify.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    for (const path of [`/v1/sources/${res.body.id}`, '/v1/sources']) {
      const read = await h.request('GET', path);
      expect(JSON.stringify(read.body)).not.toContain(res.body.verify.secret);
    }
    const gh = await h.request('POST', '/v1/sources', { body: { name: 'gh', verify: { scheme: 'github' } } });
    expect(gh.body.verify.secret).toMatch(/^[0-9a-f]{64}$/);
    const hmac = await h.request('POST', '/v1/sources', { body: { name: 'p', verify: { scheme: 'hmac', header: 'X-Sig' } } });
    expect(hmac.body.verify).toMatchObject({ header: 'x-sig', algorithm: 'sha256', encoding: 'hex', secret: expect.any(String) });
  });

  it('refuses bad input with every problem by path', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', verify: { scheme: 'stripe' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'shopify' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'nope' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none', secret: 's' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'standard-webhooks', secret: 'whsec_!!!' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'standard-webhooks', secret: 'whsec_c2hvcnQ=' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'basic', username: 'a:b', password: 'p' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, allowIps: ['10.0.0.0/33'] }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, allowIps: ['127.1'] }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, eventType: { pointer: 'type' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, eventType: { pointer: '/a~2' } }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, eventType: 'bad name' }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, unknown: 1 }, 'validation_failed'],
      [{ name: 'x', verify: { scheme: 'none' }, maxBodyBytes: 0 }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const res = await h.request('POST', '/v1/sources', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe(code);
      expect(res.body.errors?.length ?? 0, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const ips = await h.request('POST', '/v1/sources', { body: { name: 'x', verify: { scheme: 'none' }, allowIps: ['10.0.0.0/8', 'nope', '::1/129'] } });
    expect(ips.body.errors).toEqual([
      { path: '/body/allowIps/1', message: expect.any(String) },
      { path: '/body/allowIps/2', message: expect.any(String) },
    ]);
  });

  it('uses HOOKD_PUBLIC_URL for ingress URLs when set', async () => {
    const other = await createInboundHarness({}, { HOOKD_PUBLIC_URL: 'https://hooks.example.com/' });
    try {
      const res = await createSource(other, { verify: { scheme: 'none' } });
      expect(res.ingressUrl).toBe(`https://hooks.example.com/in/${res.id}`);
    } finally {
      await other.close();
    }
  });
});

describe('update and delete', () => {
  it('PATCH returns a replaced verify once; null clears allowIps; DELETE makes the ingress 404', async () => {
    const source = await createSource(h, { verify: { scheme: 'bearer', token: 'old-token' }, allowIps: ['10.0.0.0/8'], eventType: 'p.t' });
    const renamed = await h.request('PATCH', `/v1/sources/${source.id}`, { body: { name: 'renamed', allowIps: null } });
    expect(renamed.body).toMatchObject({ name: 'renamed', allowIps: null, verify: { scheme: 'bearer', token: '[redacted]' } });
    const rotated = await h.request('PATCH', `/v1/sources/${source.id}`, { body: { verify: { scheme: 'bearer', token: 'new-token' } } });
    expect(rotated.body.verify.token).toBe('new-token');
    expect((await postIngress(h, source.id, '{}', { authorization: 'Bearer old-token' })).status).toBe(401);
    expect((await postIngress(h, source.id, '{}', { authorization: 'Bearer new-token' })).status).toBe(202);
    expect((await h.request('PATCH', `/v1/sources/${source.id}`, { body: {} })).status).toBe(400);
    expect((await h.request('DELETE', `/v1/sources/${source.id}`)).status).toBe(204);
    expect((await h.request('DELETE', `/v1/sources/${source.id}`)).status).toBe(404);
    const gone = await postIngress(h, source.id, '{}', { authorization: 'Bearer new-token' });
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('not_found');
    expect((await postIngress(h, 'src_not-an-id', '{}')).status).toBe(404);
  });
});

describe('tenants', () => {
  it("a tenant key sees and logs only its own sources; another tenant's are 404", async () => {
    const acme = await tenantKey('acme');
    const globex = await tenantKey('globex');
    const mine = await h.request('POST', '/v1/sources', { key: acme, body: { name: 'acme src', verify: { scheme: 'none' }, eventType: 't.t' } });
    expect(mine.status).toBe(201);
    expect(mine.body.tenant).toBe('acme');
    expect((await h.request('POST', '/v1/sources', { key: acme, body: { name: 'x', verify: { scheme: 'none' }, tenant: 'globex' } })).status).toBe(403);
    await postIngress(h, mine.body.id, '{}');
    for (const [method, path] of [
      ['GET', `/v1/sources/${mine.body.id}`],
      ['PATCH', `/v1/sources/${mine.body.id}`],
      ['DELETE', `/v1/sources/${mine.body.id}`],
      ['GET', `/v1/sources/${mine.body.id}/requests`],
    ] as const) {
      const res = await h.request(method, path, { key: globex, ...(method === 'PATCH' ? { body: { name: 'stolen' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await h.request('GET', '/v1/sources', { key: globex });
    expect(list.body.data).toEqual([]);
    const own = await h.request('GET', `/v1/sources/${mine.body.id}/requests`, { key: acme });
    expect(own.body.data).toHaveLength(1);
    const event = await h.request('GET', `/v1/events/${own.body.data[0].eventId}`, { key: acme });
    expect(event.body.tenant).toBe('acme');
    expect((await h.request('GET', `/v1/events/${own.body.data[0].eventId}`, { key: globex })).status).toBe(404);
  });
});

describe('request log', () => {
  it('filters by verdict and time, pages with a cursor, and shows one request', async () => {
    const source = await createSource(h, { verify: { scheme: 'api-key', header: 'x-key', value: 'k' }, eventType: 'log.test' });
    const t0 = new Date().toISOString();
    await postIngress(h, source.id, '{"n":1}', { 'x-key': 'k' });
    await postIngress(h, source.id, '{"n":2}', { 'x-key': 'wrong' });
    await postIngress(h, source.id, '{"n":3}', { 'x-key': 'k', cookie: 'session=abc', 'idempotency-key': 'i-1' });
    await postIngress(h, source.id, '{"n":3}', { 'x-key': 'k', 'idempotency-key': 'i-1' });
    const all = await h.request('GET', `/v1/sources/${source.id}/requests`);
    expect(all.body.data.map((r: { verdict: string }) => r.verdict)).toEqual(['duplicate', 'accepted', 'rejected', 'accepted']);
    const rejected = await h.request('GET', `/v1/sources/${source.id}/requests?verdict=rejected`);
    expect(rejected.body.data).toHaveLength(1);
    expect(rejected.body.data[0]).toMatchObject({ code: 'credentials_invalid', reason: expect.stringContaining('x-key'), body: '{"n":2}' });
    expect(rejected.body.data[0].headers['x-key']).toBe('[redacted]');
    const withCookie = all.body.data[1];
    expect(withCookie.headers.cookie).toBe('[redacted]');
    expect(withCookie.dedupeKey).toBe('i-1');

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await h.request('GET', `/v1/sources/${source.id}/requests?since=${future}`)).body.data).toEqual([]);
    expect((await h.request('GET', `/v1/sources/${source.id}/requests?since=${t0}&until=${future}`)).body.data).toHaveLength(4);
    expect((await h.request('GET', `/v1/sources/${source.id}/requests?verdict=maybe`)).status).toBe(400);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Array<{ id: string }>; nextCursor: string | null } } = await h.request('GET', `/v1/sources/${source.id}/requests?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.body.data.map((r: { id: string }) => r.id));

    const one = await h.request('GET', `/v1/sources/${source.id}/requests/${seen[0]}`);
    expect(one.body.id).toBe(seen[0]);
    const other = await createSource(h, { verify: { scheme: 'none' } });
    expect((await h.request('GET', `/v1/sources/${other.id}/requests/${seen[0]}`)).status).toBe(404);
  });

  it('caps the logged body and replaces NUL so the log insert cannot fail', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'log.big' });
    const big = `"${'x'.repeat(200 * 1024)}"`;
    const res = await postIngress(h, source.id, big);
    expect(res.status).toBe(202);
    const entry = await h.request('GET', `/v1/sources/${source.id}/requests/${res.body.id}`);
    expect(entry.body.body.length).toBe(64 * 1024);
    const nul = await postIngress(h, source.id, Buffer.from('{"a":"\0"}'));
    expect(nul.status).toBe(400);
    const logged = await h.request('GET', `/v1/sources/${source.id}/requests/${nul.body.inboundRequestId}`);
    expect(logged.body.body).toBe('{"a":"\uFFFD"}');
  });
});
