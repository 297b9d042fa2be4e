// The key-set verifier's cache rules against a real JWK Set server on loopback: Cache-Control
// honoured, one refetch on an unknown key id, never more than one fetch a minute, failures keep the
// last good set.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheMaxAge, createKeySetVerifier, generateSigningKeyPair, publicKeyToJwk, signStandardWebhookV1a } from '../src/signature/index.js';

let server: Server;
let url: string;
let hits = 0;
let answer: { status: number; cacheControl: string | null; body: string } = { status: 200, cacheControl: null, body: '{"keys":[]}' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(answer.status, { 'content-type': 'application/jwk-set+json', ...(answer.cacheControl ? { 'cache-control': answer.cacheControl } : {}) });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  hits = 0;
});

const k1 = generateSigningKeyPair();
const k2 = generateSigningKeyPair();
const T = 1_750_000_000;
function publishSet(keys: Array<[string, string]>, cacheControl: string | null): void {
  answer = { status: 200, cacheControl, body: JSON.stringify({ keys: keys.map(([pub, kid]) => publicKeyToJwk(pub, kid)) }) };
}
function request(secretKey: string, kid: string | null, n = 0) {
  const body = `{"n":${n}}`;
  const headers: Record<string, string> = { 'webhook-id': `evt_${n}`, 'webhook-timestamp': String(T), 'webhook-signature': signStandardWebhookV1a({ id: `evt_${n}`, timestamp: T, body, secretKey }) };
  if (kid !== null) headers['webhook-key-id'] = kid;
  return { body, headers, now: T * 1000 };
}

describe('Cache-Control', () => {
  it('parses max-age, no-store and no-cache, caps at a day, defaults to 5 minutes', () => {
    expect(cacheMaxAge('public, max-age=120')).toBe(120);
    expect(cacheMaxAge('no-store')).toBe(0);
    expect(cacheMaxAge('max-age=60, no-cache')).toBe(0);
    expect(cacheMaxAge('max-age=99999999')).toBe(86_400);
    expect(cacheMaxAge(null)).toBe(300);
    expect(cacheMaxAge('max-age=abc')).toBe(300);
  });

  it('serves from cache within max-age, refetches once stale but not within a minute of the last fetch', async () => {
    publishSet([[k1.publicKey, 'a']], 'max-age=10');
    let clock = 0;
    const v = createKeySetVerifier({ url, now: () => clock });
    expect((await v.verify(request(k1.secretKey, 'a'))).ok).toBe(true);
    clock += 5_000;
    expect((await v.verify(request(k1.secretKey, 'a', 1))).ok).toBe(true);
    expect(hits).toBe(1);
    clock += 20_000; // stale, but only 25 s since the fetch
    expect((await v.verify(request(k1.secretKey, 'a', 2))).ok).toBe(true);
    expect(hits).toBe(1);
    clock += 40_000;
    expect((await v.verify(request(k1.secretKey, 'a', 3))).ok).toBe(true);
    expect(hits).toBe(2);
    expect(v.fetches).toBe(2);
  });
});

describe('unknown key ids', () => {
  it('refetch once on an unknown kid, then verify with the new key', async () => {
    publishSet([[k1.publicKey, 'a']], 'max-age=3600');
    let clock = 0;
    const v = createKeySetVerifier({ url, now: () => clock });
    expect((await v.verify(request(k1.secretKey, 'a'))).ok).toBe(true);
    publishSet([[k2.publicKey, 'b'], [k1.publicKey, 'a']], 'max-age=3600');
    clock += 61_000;
    expect((await v.verify(request(k2.secretKey, 'b', 1))).ok).toBe(true);
    expect(hits).toBe(2);
  });

  it('a flood of forged requests with random kids causes at most one fetch a minute', async () => {
    publishSet([[k1.publicKey, 'a']], 'max-age=3600');
    let clock = 0;
    const v = createKeySetVerifier({ url, now: () => clock });
    await v.verify(request(k1.secretKey, 'a'));
    const forger = generateSigningKeyPair();
    clock += 61_000;
    for (let i = 0; i < 30; i += 1) {
      clock += 1_000;
      const r = await v.verify(request(forger.secretKey, `kid-${i}`, i));
      expect(r).toMatchObject({ ok: false, code: 'signature_invalid' });
    }
    expect(hits).toBe(2); // the first fetch and one refetch in the flood's minute
    // concurrent verifications share one fetch
    clock += 61_000;
    await Promise.all(Array.from({ length: 10 }, (_, i) => v.verify(request(forger.secretKey, `x-${i}`, i))));
    expect(hits).toBe(3);
  });

  it('a known kid whose signature is wrong does not refetch', async () => {
    publishSet([[k1.publicKey, 'a']], 'max-age=3600');
    let clock = 0;
    const v = createKeySetVerifier({ url, now: () => clock });
    await v.verify(request(k1.secretKey, 'a'));
    clock += 120_000;
    expect((await v.verify(request(k2.secretKey, 'a', 1))).ok).toBe(false);
    expect(hits).toBe(1);
  });
});

describe('failures', () => {
  it('keeps the last good set when the server fails, and fails closed with no set at all', async () => {
    publishSet([[k1.publicKey, 'a']], 'no-store');
    let clock = 0;
    const v = createKeySetVerifier({ url, now: () => clock });
    expect((await v.verify(request(k1.secretKey, 'a'))).ok).toBe(true);
    answer = { status: 500, cacheControl: null, body: 'oops' };
    clock += 61_000;
    expect((await v.verify(request(k1.secretKey, 'a', 1))).ok).toBe(true);
    expect(hits).toBe(2);

    const fresh = createKeySetVerifier({ url, now: () => clock });
    expect(await fresh.verify(request(k1.secretKey, 'a', 2))).toMatchObject({ ok: false, code: 'signature_invalid' });
    for (const body of ['not json', '{"keys":"x"}', JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'short', kid: 'a' }] }), 'x'.repeat(70_000)]) {
      answer = { status: 200, cacheControl: null, body };
      const broken = createKeySetVerifier({ url, now: () => clock });
      expect((await broken.verify(request(k1.secretKey, 'a', 3))).ok).toBe(false);
    }
  });

  it('refuses a malformed URL at construction', () => {
    expect(() => createKeySetVerifier({ url: 'not a url' })).toThrow();
  });
});
