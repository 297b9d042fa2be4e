// Standard Webhooks v1a (ed25519): known answers, interop with independent ed25519 code (Node's own
// crypto.verify, @noble/curves, WebCrypto through jose's JWK import) and hostile input.

import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, verify as nodeVerify, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { importJWK } from 'jose';
import {
  decodePublicKey,
  decodeSigningKey,
  generateSigningKeyPair,
  jwkToPublicKey,
  publicKeyOf,
  publicKeyToJwk,
  SecretFormatError,
  signStandardWebhookV1a,
  verifyStandardWebhook,
  verifyStandardWebhookV1a,
  generateSecret,
  signStandardWebhook,
} from '../src/signature/index.js';

interface V1aCase {
  name: string;
  secretKey: string;
  publicKey: string;
  id: string;
  timestamp: number;
  body: string;
  signature: string;
}
const vectors = JSON.parse(readFileSync(new URL('./vectors/standard-webhooks-v1a.json', import.meta.url), 'utf8')) as { cases: V1aCase[] };
const raw = (key: string) => Buffer.from(key.slice(5), 'base64');
const sigBytes = (header: string) => Buffer.from(header.slice(4), 'base64');

describe('v1a known answers', () => {
  it('includes the reference library case and hookd-generated ones', () => {
    expect(vectors.cases.map((c) => c.name)).toContain('reference-go-sign');
    expect(vectors.cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(vectors.cases)('$name: signs byte-exactly and verifies', (v) => {
    expect(signStandardWebhookV1a({ id: v.id, timestamp: v.timestamp, body: v.body, secretKey: v.secretKey })).toBe(v.signature);
    expect(publicKeyOf(v.secretKey)).toBe(v.publicKey);
    const headers = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
    expect(verifyStandardWebhookV1a({ body: v.body, headers, publicKeys: v.publicKey, now: v.timestamp * 1000 })).toEqual({ ok: true, id: v.id, timestamp: v.timestamp, keyId: null });
  });

  it.each(vectors.cases)('$name: @noble/curves derives the same public key and accepts the signature', (v) => {
    expect(Buffer.from(ed25519.getPublicKey(raw(v.secretKey))).equals(raw(v.publicKey))).toBe(true);
    const content = Buffer.from(`${v.id}.${v.timestamp}.${v.body}`, 'utf8');
    expect(ed25519.verify(sigBytes(v.signature), content, raw(v.publicKey))).toBe(true);
    expect(ed25519.verify(sigBytes(v.signature), Buffer.concat([content, Buffer.from(' ')]), raw(v.publicKey))).toBe(false);
  });
});

describe('interop with independent implementations', () => {
  it('a fresh signature verifies with node crypto.verify, @noble/curves and WebCrypto via jose', async () => {
    const pair = generateSigningKeyPair();
    expect(pair.secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(pair.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const body = Buffer.from('{"type":"x","data":{"n":1}}');
    const header = signStandardWebhookV1a({ id: 'evt_1', timestamp: 1_750_000_000, body, secretKey: pair.secretKey });
    const content = Buffer.from(`evt_1.1750000000.${body.toString()}`);
    // node, from a JWK built without hookd's DER helpers
    const jwk = publicKeyToJwk(pair.publicKey, 'k1');
    const nodeKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
    expect(nodeVerify(null, content, nodeKey, sigBytes(header))).toBe(true);
    expect(ed25519.verify(sigBytes(header), content, raw(pair.publicKey))).toBe(true);
    const cryptoKey = (await importJWK(jwk, 'EdDSA')) as webcrypto.CryptoKey;
    expect(await webcrypto.subtle.verify({ name: 'Ed25519' }, cryptoKey, sigBytes(header), content)).toBe(true);
    // and the other way: noble signs, hookd verifies
    const seed = raw(pair.secretKey);
    const nobleSig = Buffer.from(ed25519.sign(content, seed)).toString('base64');
    const result = verifyStandardWebhookV1a({ body, headers: { 'webhook-id': 'evt_1', 'webhook-timestamp': '1750000000', 'webhook-signature': `v1a,${nobleSig}` }, publicKeys: pair.publicKey, now: 1_750_000_000_000 });
    expect(result.ok).toBe(true);
  });

  it('the JWK form round-trips and matches node\'s own export', () => {
    const pair = generateSigningKeyPair();
    const jwk = publicKeyToJwk(pair.publicKey, 'kid-1');
    const nodeJwk = createPublicKey(decodeSigningKey(pair.secretKey)).export({ format: 'jwk' });
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: nodeJwk.x, kid: 'kid-1', use: 'sig', alg: 'EdDSA' });
    expect(jwkToPublicKey(jwk)).toEqual({ kid: 'kid-1', publicKey: pair.publicKey });
    expect(createPrivateKey({ key: { ...nodeJwk, d: raw(pair.secretKey).toString('base64url') }, format: 'jwk' }).asymmetricKeyType).toBe('ed25519');
  });
});

describe('hostile and mistaken input', () => {
  const pair = generateSigningKeyPair();
  const other = generateSigningKeyPair();
  const ts = 1_750_000_000;
  const body = '{"a":1}';
  const good = signStandardWebhookV1a({ id: 'evt_h', timestamp: ts, body, secretKey: pair.secretKey });
  const verify = (sig: string, extra: Record<string, string> = {}, b: string = body) =>
    verifyStandardWebhookV1a({ body: b, headers: { 'webhook-id': 'evt_h', 'webhook-timestamp': String(ts), 'webhook-signature': sig, ...extra }, publicKeys: pair.publicKey, now: ts * 1000 });

  it('refuses wrong keys, altered bodies, ids and timestamps', () => {
    expect(verify(good).ok).toBe(true);
    expect(verifyStandardWebhookV1a({ body, headers: { 'webhook-id': 'evt_h', 'webhook-timestamp': String(ts), 'webhook-signature': good }, publicKeys: other.publicKey, now: ts * 1000 })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(good, {}, '{"a":2}')).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(good, { 'webhook-id': 'evt_i' })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(good, { 'webhook-timestamp': String(ts + 1) })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('checks the window after the signature, both ways', () => {
    const at = (now: number) => verifyStandardWebhookV1a({ body, headers: { 'webhook-id': 'evt_h', 'webhook-timestamp': String(ts), 'webhook-signature': good }, publicKeys: pair.publicKey, now });
    expect(at((ts + 301) * 1000)).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
    expect(at((ts - 301) * 1000)).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
    expect(at((ts + 300) * 1000).ok).toBe(true);
  });

  it('never throws on garbage signatures and ignores other versions', () => {
    const s = good.slice(4);
    for (const bad of ['', 'v1a,', 'v1a,!!!!', `v1a,${s}!`, `v1a,${s.slice(0, -2)}`, `v1a,${s}==`, `v1,${s}`, `v1a ${s}`, 'v1a,' + 'A'.repeat(20000), `v1a,${s.replace(/=+$/, '')}`]) {
      const r = verify(bad);
      expect(r.ok).toBe(false);
    }
    expect(verify(`v1,abc v2,zzz ${good} v1a,${'A'.repeat(86)}==`).ok).toBe(true);
    expect(verify(good, { 'webhook-key-id': 'x'.repeat(5000) }).ok).toBe(true);
  });

  it('names missing headers and refuses caller mistakes loudly', () => {
    expect(verifyStandardWebhookV1a({ body, headers: {}, publicKeys: pair.publicKey })).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(() => verifyStandardWebhookV1a({ body, headers: {}, publicKeys: [] })).toThrow(RangeError);
    expect(() => verifyStandardWebhookV1a({ body: JSON.parse(body), headers: {}, publicKeys: pair.publicKey })).toThrow(TypeError);
    for (const bad of ['', 'whpk_', 'whpk_abc', 'whpk_' + 'A'.repeat(44), 'whpk_' + Buffer.alloc(31).toString('base64'), 'whpk_not base64!!']) {
      expect(() => decodePublicKey(bad)).toThrow(SecretFormatError);
    }
    try {
      decodeSigningKey('whsk_' + Buffer.alloc(31, 7).toString('base64'));
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(Buffer.alloc(31, 7).toString('base64'));
    }
    expect(() => signStandardWebhookV1a({ id: 'a.b', timestamp: ts, body, secretKey: pair.secretKey })).toThrow(RangeError);
  });

  it('v1 and v1a live side by side in one header (signing mode "both")', () => {
    const secret = generateSecret();
    const header = `${signStandardWebhook({ id: 'evt_h', timestamp: ts, body, secret })} ${good}`;
    expect(verify(header).ok).toBe(true);
    expect(verifyStandardWebhook({ body, secrets: secret, headers: { 'webhook-id': 'evt_h', 'webhook-timestamp': String(ts), 'webhook-signature': header }, now: ts * 1000 }).ok).toBe(true);
  });

  it('skips JWKs that are not public ed25519 signing keys', () => {
    const jwk = publicKeyToJwk(pair.publicKey, 'k');
    expect(jwkToPublicKey({ ...jwk, crv: 'X25519' })).toBeNull();
    expect(jwkToPublicKey({ ...jwk, kty: 'EC' })).toBeNull();
    expect(jwkToPublicKey({ ...jwk, use: 'enc' })).toBeNull();
    expect(jwkToPublicKey({ ...jwk, d: 'AAAA' })).toBeNull();
    expect(jwkToPublicKey({ ...jwk, x: 'AAAA' })).toBeNull();
    expect(jwkToPublicKey({ ...jwk, x: 'a+b/' })).toBeNull();
    expect(jwkToPublicKey(null)).toBeNull();
    expect(jwkToPublicKey({ ...jwk, kid: 5 })).toEqual({ kid: null, publicKey: pair.publicKey });
  });
});
