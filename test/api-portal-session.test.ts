// Single-use portal links, on both stores: a link is exchanged once (POST /v1/portal/session) for a
// session that carries its tenant, capabilities and expiry; a second exchange, from this process or
// another sharing the database, is 401 "already used", and of many racing exchanges exactly one wins.
// The link itself authenticates nothing else; expired and revoked links are refused; revoking the link
// ends its sessions. Reusable links (singleUse: false, and links minted before) keep working as bearer.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { createPortalToken, derivePortalKey } from '../src/security/portal-token.js';
import { parseSecretKey } from '../src/runtime/secret-key.js';
import { HookdClient } from '../src/client/index.js';

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string, detail?: RegExp) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
  if (detail) expect(res.body.detail).toMatch(detail);
}

describe.each(['sqlite', 'postgres'] as const)('single-use portal links (%s)', (store) => {
  let a: Harness;
  let b: Harness;
  let schema: string | null = null;
  const secretHex = randomBytes(32).toString('hex');

  beforeAll(async () => {
    // Two processes' worth of runtimes on one database, sharing the secret key (as a deployment must).
    const env: Record<string, string> = { HOOKD_SECRET_KEY: secretHex };
    if (store === 'postgres') {
      schema = freshSchema('hookd_portal_session');
      env.DATABASE_URL = schemaUrl(SHARED_URL, schema);
      a = await createHarness({ env });
      b = await createHarness({ env });
    } else {
      a = await createHarness({ env });
      b = await createHarness({ env: { ...env, HOOKD_DATA_DIR: a.runtime.config.dataDir } });
    }
    expect(a.runtime.store.dialect).toBe(store);
  }, 30_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (schema) await dropSchema(schema);
  });

  const mint = async (body: Record<string, unknown> = {}) => {
    const res = await a.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 600, ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; singleUse: boolean; expiresAt: string };
  };
  const exchange = (h: Harness, token: string) => h.request('POST', '/v1/portal/session', { key: `portal_${token}` });

  it('exchanges a link once for a session carrying its tenant, capabilities and expiry; the second exchange is 401', async () => {
    const link = await mint({ capabilities: ['replay'], theme: { brandName: 'Acme' } });
    expect(link.singleUse).toBe(true);
    const first = await exchange(a, link.token);
    expect(first.status).toBe(201);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toMatchObject({ linkId: link.id, tenant: 'acme', expiresAt: link.expiresAt, readOnly: false, capabilities: ['view', 'replay'], theme: { brandName: 'Acme' } });
    expect(first.body.token).not.toBe(link.token);
    const session = `portal_${first.body.token as string}`;
    const who = await a.request('GET', '/v1/meta/whoami', { key: session });
    expect(who.body).toMatchObject({ role: 'tenant', tenant: 'acme', portal: true, portalOptions: { capabilities: ['view', 'replay'], theme: { brandName: 'Acme' } } });
    // The same process and another one sharing the database both refuse a second exchange.
    expectProblem(await exchange(a, link.token), 401, 'unauthorized', /already been used/);
    expectProblem(await exchange(b, link.token), 401, 'unauthorized', /already been used/);
    // The session works in the other process too (same key), and cannot itself be exchanged.
    expect((await b.request('GET', '/v1/endpoints', { key: session })).status).toBe(200);
    expectProblem(await exchange(a, first.body.token), 401, 'unauthorized', /already a portal session/);
    // The capabilities still hold for the session: no manage_endpoints, so no new endpoint.
    expectProblem(await a.request('POST', '/v1/endpoints', { key: session, body: { url: 'http://127.0.0.1:9/x' } }), 403, 'forbidden');
  });

  it('of many exchanges racing across two processes, exactly one wins', async () => {
    const link = await mint();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => exchange(i % 2 === 0 ? a : b, link.token)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array(11).fill(401)]);
    for (const r of answers.filter((x) => x.status === 401)) expect(r.body.detail).toMatch(/already been used/);
  });

  it('the single-use link authenticates nothing but its exchange', async () => {
    const link = await mint();
    for (const [method, url] of [['GET', '/v1/meta/whoami'], ['GET', '/v1/endpoints'], ['GET', '/v1/stream']] as const) {
      expectProblem(await a.request(method, url, { key: `portal_${link.token}` }), 401, 'unauthorized', /single-use/);
    }
    // Those refusals did not use it up.
    expect((await exchange(a, link.token)).status).toBe(201);
  });

  it('refuses an expired link, a revoked link, a forged one and API keys; revoking the link ends its session', async () => {
    const key = derivePortalKey(parseSecretKey(secretHex, 'test'));
    const expired = createPortalToken('acme', 60, key, Date.now() - 61_000, { singleUse: true });
    expectProblem(await exchange(a, expired.token), 401, 'unauthorized', /expired/);

    const link = await mint();
    const other = await mint();
    const session = `portal_${(await exchange(a, link.token)).body.token as string}`;
    expect((await a.request('DELETE', `/v1/portal-links/${link.id}`)).status).toBe(204);
    expectProblem(await a.request('GET', '/v1/meta/whoami', { key: session }), 401, 'unauthorized', /revoked/);
    expectProblem(await b.request('GET', '/v1/meta/whoami', { key: session }), 401, 'unauthorized', /revoked/);
    expect((await a.request('DELETE', `/v1/portal-links/${other.id}`)).status).toBe(204);
    expectProblem(await exchange(b, other.token), 401, 'unauthorized', /revoked/);

    const [v, payload, sig] = (await mint()).token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    claims.s = 1;
    delete claims.u;
    const forged = `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    expectProblem(await a.request('GET', '/v1/meta/whoami', { key: `portal_${forged}` }), 401, 'unauthorized');
    expectProblem(await a.request('POST', '/v1/portal/session', {}), 401, 'unauthorized', /portal link/);
    expectProblem(await a.request('POST', '/v1/portal/session', { key: null }), 401, 'unauthorized');
    expectProblem(await a.request('POST', '/v1/portal/session', { key: 'portal_v1.garbage' }), 401, 'unauthorized');
  });

  it('bad input: a malformed or oversized body and a bad singleUse are precise problems, never 500', async () => {
    const link = await mint();
    const bad = await a.request('POST', '/v1/portal/session', { key: `portal_${link.token}`, rawBody: '{"x":', headers: { 'content-type': 'application/json' } });
    expectProblem(bad, 400, 'invalid_json');
    const big = await a.request('POST', '/v1/portal/session', { key: `portal_${link.token}`, rawBody: JSON.stringify({ x: 'y'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expectProblem(await a.request('POST', '/v1/portal-links', { body: { tenant: 'acme', singleUse: 'no' } }), 400, 'validation_failed');
    // None of those used the link.
    expect((await exchange(a, link.token)).status).toBe(201);
  });

  it('a reusable link (singleUse: false, or minted before single-use links) is a bearer token and may be exchanged again', async () => {
    const link = await mint({ singleUse: false });
    expect(link.singleUse).toBe(false);
    expect((await a.request('GET', '/v1/meta/whoami', { key: `portal_${link.token}` })).status).toBe(200);
    expect((await exchange(a, link.token)).status).toBe(201);
    expect((await exchange(b, link.token)).status).toBe(201);
    const old = createPortalToken('acme', 600, derivePortalKey(parseSecretKey(secretHex, 'test')));
    expect((await a.request('GET', '/v1/endpoints', { key: `portal_${old.token}` })).status).toBe(200);
  });

  it('the exchange is audited as portal_link.exchange by the portal, and hookd/client can exchange', async () => {
    const link = await mint();
    const base = await a.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const session = await new HookdClient({ baseUrl: base, apiKey: `portal_${link.token}` }).portalLinks.exchange();
    expect(session).toMatchObject({ linkId: link.id, tenant: 'acme' });
    const whoami = await new HookdClient({ baseUrl: base, apiKey: `portal_${session.token}` }).meta.whoami();
    expect(whoami).toMatchObject({ tenant: 'acme', portal: true });
    const audit = (await a.request('GET', '/v1/audit?limit=5')).body.data as Array<{ action: string; actor: { kind: string }; tenant: string | null; diff: unknown }>;
    const record = audit.find((r) => r.action === 'portal_link.exchange');
    expect(record).toMatchObject({ actor: { kind: 'portal' }, tenant: 'acme' });
    expect(JSON.stringify(record)).not.toContain(link.token);
    expect(JSON.stringify(record)).not.toContain(session.token);
  });

  it('a refused second exchange leaves no audit record (only the one that opened a session does)', async () => {
    const link = await mint();
    const exchanges = async () => ((await a.request('GET', '/v1/audit?action=portal_link.exchange&limit=250')).body.data as Array<{ target: string | null; diff: unknown }>).length;
    const before = await exchanges();
    expect((await a.request('POST', '/v1/portal/session', { key: `portal_${link.token}`, body: {} })).status).toBe(201);
    // A use row past its expiry: the refused exchanges below prune it, and that write must not carry the record.
    for (const n of [1, 2]) expect(await a.runtime.store.usePortalLink(`pl_${String(n).repeat(32)}`, Date.now() - 10_000, Date.now() - 5_000)).toBe(true);
    for (const peer of [a, b]) expect((await peer.request('POST', '/v1/portal/session', { key: `portal_${link.token}`, body: {} })).status).toBe(401);
    expect(await exchanges()).toBe(before + 1);
  });
});
