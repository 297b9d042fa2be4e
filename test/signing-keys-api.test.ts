// The signing-key API: endpoint signing modes, the public key set, the admin key view and manual
// rotation; bad input, authentication and tenant isolation on every new route.

import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { verifyStandardWebhook } from '../src/signature/index.js';

let h: Harness;
let receiver: Receiver;
let globexKey: string;
const JWKS = '/.well-known/webhooks/jwks.json';

beforeAll(async () => {
  h = await createHarness();
  receiver = await startReceiver();
  const key = await h.request('POST', '/v1/api-keys', { body: { name: 'globex', tenant: 'globex' } });
  globexKey = key.body.key;
});

afterAll(async () => {
  await h.close();
  await receiver.close();
});

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, detail: expect.any(String) });
}

describe('endpoint signing modes', () => {
  it('defaults to hmac and reveals the secret as before', async () => {
    const res = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'plain' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ signing: 'hmac', secret: expect.stringMatching(/^whsec_/) });
  });

  it('ed25519: no secret in the answer, secret reveal and rotation refused, the tenant key published at once', async () => {
    const res = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', signing: 'ed25519', eventTypes: ['never.sent'] } });
    expect(res.status).toBe(201);
    expect(res.body.signing).toBe('ed25519');
    expect(res.body).not.toHaveProperty('secret');
    expect(res.text).not.toContain('whsec_');
    expectProblem(await h.request('GET', `/v1/endpoints/${res.body.id}/secret`), 409, 'hmac_secret_unused');
    expectProblem(await h.request('POST', `/v1/endpoints/${res.body.id}/rotate-secret`, { body: {} }), 409, 'hmac_secret_unused');
    const set = await h.request('GET', `${JWKS}?tenant=acme`, { key: null });
    expect(set.status).toBe(200);
    expect(set.body.keys).toHaveLength(1);
    expect(set.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: expect.stringMatching(/^kid_/), use: 'sig', alg: 'EdDSA' });
  });

  it('a delivery to an ed25519 endpoint carries v1a and webhook-key-id only, verified by node crypto.verify from the key set', async () => {
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', signing: 'ed25519', eventTypes: ['only.acme'] } });
    const before = receiver.requests.length;
    await h.request('POST', '/v1/events', { body: { type: 'only.acme', data: { n: 1 }, tenant: 'acme' } });
    const [req] = (await receiver.waitFor(before + 1, 10_000)).slice(before);
    expect(req!.headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const set = await h.request('GET', `${JWKS}?tenant=acme`, { key: null });
    const jwk = set.body.keys.find((k: { kid: string }) => k.kid === req!.headers['webhook-key-id']);
    expect(jwk).toBeDefined();
    const content = Buffer.concat([Buffer.from(`${req!.headers['webhook-id']}.${req!.headers['webhook-timestamp']}.`), req!.body]);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    expect(nodeVerify(null, content, key, Buffer.from(req!.headers['webhook-signature']!.slice(4), 'base64'))).toBe(true);
    expect(ep.body.id).toMatch(/^ep_/);
  });

  it('both: v1 and v1a side by side; PATCH switches modes and refuses unknown ones', async () => {
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', signing: 'both', eventTypes: ['both.acme'] } });
    expect(ep.body.secret).toMatch(/^whsec_/);
    const before = receiver.requests.length;
    await h.request('POST', '/v1/events', { body: { type: 'both.acme', data: { n: 2 }, tenant: 'acme' } });
    const [req] = (await receiver.waitFor(before + 1, 10_000)).slice(before);
    const entries = req!.headers['webhook-signature']!.split(' ');
    expect(entries.map((e) => e.split(',')[0])).toEqual(['v1', 'v1a']);
    expect(verifyStandardWebhook({ body: req!.body, headers: req!.headers, secrets: ep.body.secret }).ok).toBe(true);
    const patched = await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { signing: 'hmac' } });
    expect(patched.body.signing).toBe('hmac');
    expectProblem(await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { signing: 'rsa' } }), 400, 'validation_failed');
    expectProblem(await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { signing: 1 } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, signing: ['ed25519'] } }), 400, 'validation_failed');
  });
});

describe('the public key set', () => {
  it('needs no API key, is cacheable and typed, and ignores a wrong Authorization header', async () => {
    const res = await h.request('GET', `${JWKS}?tenant=acme`, { key: 'hk_wrong' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(String(res.headers['content-type'])).toContain('application/jwk-set+json');
    for (const k of res.body.keys) expect(k).not.toHaveProperty('d');
  });

  it('keeps tenants apart: each tenant its own keys, unknown tenants an empty set, no tenant its own scope', async () => {
    await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'globex', signing: 'ed25519', eventTypes: ['never.sent'] } });
    const acme = (await h.request('GET', `${JWKS}?tenant=acme`, { key: null })).body.keys.map((k: { kid: string }) => k.kid);
    const globex = (await h.request('GET', `${JWKS}?tenant=globex`, { key: null })).body.keys.map((k: { kid: string }) => k.kid);
    expect(acme.length).toBeGreaterThan(0);
    expect(globex.length).toBeGreaterThan(0);
    expect(acme.filter((k: string) => globex.includes(k))).toEqual([]);
    expect((await h.request('GET', `${JWKS}?tenant=nobody`, { key: null })).body).toEqual({ keys: [] });
    expect((await h.request('GET', JWKS, { key: null })).body).toEqual({ keys: [] });
    // looking does not create keys for anyone
    expect((await h.request('GET', `${JWKS}?tenant=nobody`, { key: null })).body).toEqual({ keys: [] });
  });

  it('answers hostile queries with a precise 400, never 500', async () => {
    for (const q of ['tenant=a%20b', 'tenant=', `tenant=${'a'.repeat(200)}`, 'tenant=%00', 'other=1', 'tenant=a&tenant=b', 'tenant=%E2%80%AE']) {
      const res = await h.request('GET', `${JWKS}?${q}`, { key: null });
      expect(res.status, q).toBe(400);
      expect(res.body.code, q).toBe('validation_failed');
    }
  });
});

describe('/v1/signing-keys', () => {
  it('needs a key: none or a wrong one -> 401', async () => {
    expectProblem(await h.request('GET', '/v1/signing-keys', { key: null }), 401, 'unauthorized');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { key: 'hk_wrong', body: {} }), 401, 'unauthorized');
  });

  it('lists keys by tenant with state, age and the next rotation; a tenant key sees only its own', async () => {
    const all = await h.request('GET', '/v1/signing-keys');
    expect(all.status).toBe(200);
    const tenants = all.body.data.map((g: { tenant: string }) => g.tenant).sort();
    expect(tenants).toEqual(expect.arrayContaining(['acme', 'globex']));
    const acme = all.body.data.find((g: { tenant: string }) => g.tenant === 'acme');
    expect(acme).toMatchObject({ keySetUrl: `${JWKS}?tenant=acme`, nextRotationAt: expect.any(String) });
    expect(acme.keys[0]).toMatchObject({ state: 'active', publicKey: expect.stringMatching(/^whpk_/), ageSeconds: expect.any(Number) });
    expect(JSON.stringify(all.body)).not.toContain('whsk_');
    expect(all.body.policy).toEqual({ overlapSeconds: 86400, publishLeadSeconds: 300, rotationDays: 90 });
    const own = await h.request('GET', '/v1/signing-keys', { key: globexKey });
    expect(own.body.data.map((g: { tenant: string }) => g.tenant)).toEqual(['globex']);
    expectProblem(await h.request('GET', '/v1/signing-keys?tenant=acme', { key: globexKey }), 403, 'forbidden');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { key: globexKey, body: { tenant: 'acme' } }), 403, 'forbidden');
  });

  it('rotates: the new key is published first (next), a second rotation meanwhile is refused', async () => {
    const before = (await h.request('GET', `${JWKS}?tenant=globex`, { key: null })).body.keys.length;
    const res = await h.request('POST', '/v1/signing-keys/rotate', { key: globexKey, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.tenant).toBe('globex');
    expect(res.body.keys.map((k: { state: string }) => k.state)).toEqual(['next', 'retiring']);
    expect((await h.request('GET', `${JWKS}?tenant=globex`, { key: null })).body.keys).toHaveLength(before + 1);
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { body: { tenant: 'globex' } }), 409, 'signing_key_rotation_pending');
  });

  it('bad bodies and queries -> precise problems', async () => {
    const res = await h.request('POST', '/v1/signing-keys/rotate', { rawBody: '{"tenant": ', headers: { 'content-type': 'application/json' } });
    expectProblem(res, 400, 'invalid_json');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { body: { tenant: 5 } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { body: { tenant: 'a b' } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { body: { bogus: 1 } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { body: [] }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/signing-keys/rotate', { rawBody: 'tenant=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    expectProblem(await h.request('GET', '/v1/signing-keys?tenant=%00'), 400, 'validation_failed');
    expectProblem(await h.request('GET', '/v1/signing-keys?limit=5'), 400, 'validation_failed');
  });
});
