import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeSecret,
  generateSecret,
  SecretFormatError,
  signatureHeader,
  signStandardWebhook,
  verifyStandardWebhook,
} from '../src/signature/index.js';

interface VectorCase {
  secret: string;
  id: string;
  timestamp: number;
  body: string;
  signature: string;
}
const vectors = JSON.parse(readFileSync(new URL('./fixtures/standard-webhooks-vectors.json', import.meta.url), 'utf8')) as {
  cases: VectorCase[];
};

const secret = generateSecret();
const otherSecret = generateSecret(32);
const id = 'evt_01HZX3';
const timestamp = 1_750_000_000;
const nowMs = timestamp * 1000;
const body = '{"type":"chat.started","timestamp":"2026-05-20T15:30:00.000Z","data":{"chatId":"c_1"}}';

function headersFor(signature: string, overrides: Record<string, string> = {}): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature, ...overrides };
}

describe('Standard Webhooks known-answer vector', () => {
  it.each(vectors.cases)('signs and verifies $id exactly', (vector) => {
    expect(signStandardWebhook(vector)).toBe(vector.signature);
    expect(signatureHeader([vector.secret], vector.id, vector.timestamp, Buffer.from(vector.body))).toBe(vector.signature);
    const result = verifyStandardWebhook({
      body: vector.body,
      secrets: [vector.secret],
      headers: { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature },
      now: vector.timestamp * 1000,
    });
    expect(result).toEqual({ ok: true, id: vector.id, timestamp: vector.timestamp });
  });
});

describe('secrets', () => {
  it('generates whsec_ + base64 of 24..64 random bytes that round-trips', () => {
    expect(decodeSecret(generateSecret())).toHaveLength(24);
    expect(decodeSecret(generateSecret(64))).toHaveLength(64);
    expect(generateSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(generateSecret()).not.toBe(generateSecret());
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(() => generateSecret(65)).toThrow(RangeError);
  });

  it('decodes with or without the prefix and refuses malformed secrets without echoing them', () => {
    const raw = secret.slice('whsec_'.length);
    expect(decodeSecret(raw).equals(decodeSecret(secret))).toBe(true);
    for (const bad of ['', 'whsec_', 'whsec_not base64!', 'whsec_abc-_def', 'whsec_a', 'whsec_ab=c']) {
      expect(() => decodeSecret(bad)).toThrow(SecretFormatError);
    }
    try {
      decodeSecret('whsec_s3cr3t!!');
    } catch (error) {
      expect(String(error)).not.toContain('s3cr3t');
    }
  });
});

describe('verifyStandardWebhook', () => {
  const signature = signStandardWebhook({ id, timestamp, body, secret });
  const verify = (headers: Record<string, string | string[]>, extra: { body?: string | Buffer; now?: number } = {}) =>
    verifyStandardWebhook({ body: extra.body ?? body, headers, secrets: [secret], now: extra.now ?? nowMs });

  it('accepts a valid request, from a Buffer or string body, with any header casing', () => {
    expect(verify(headersFor(signature))).toEqual({ ok: true, id, timestamp });
    expect(verify(headersFor(signature), { body: Buffer.from(body) }).ok).toBe(true);
    expect(
      verify({ 'Webhook-Id': id, 'WEBHOOK-TIMESTAMP': String(timestamp), 'Webhook-Signature': signature }).ok,
    ).toBe(true);
    const fetchHeaders = new Headers(headersFor(signature));
    expect(verifyStandardWebhook({ body, headers: fetchHeaders, secrets: secret, now: new Date(nowMs) }).ok).toBe(true);
  });

  it('accepts svix-* headers', () => {
    expect(verify({ 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature }).ok).toBe(true);
  });

  it('refuses a forged signature, a wrong secret and a missing header with the right code', () => {
    const forged = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    expect(verify(headersFor(forged))).toMatchObject({ ok: false, code: 'signature_invalid' });
    const wrongSecret = signStandardWebhook({ id, timestamp, body, secret: otherSecret });
    expect(verify(headersFor(wrongSecret))).toMatchObject({ ok: false, code: 'signature_invalid' });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers = headersFor(signature);
      delete headers[name];
      expect(verify(headers)).toMatchObject({ ok: false, code: 'signature_missing' });
    }
    expect(verify({})).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('refuses a re-serialised body (same JSON, different bytes)', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(verify(headersFor(signature), { body: reserialised })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(headersFor(signature), { body: `${body}\n` })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('refuses altered id or timestamp', () => {
    expect(verify(headersFor(signature, { 'webhook-id': `${id}x` })).ok).toBe(false);
    expect(verify(headersFor(signature, { 'webhook-timestamp': String(timestamp + 1) })).ok).toBe(false);
  });

  it('applies a two-sided tolerance, the edge included', () => {
    const at = (ts: number) => headersFor(signStandardWebhook({ id, timestamp: ts, body, secret }), { 'webhook-timestamp': String(ts) });
    expect(verify(at(timestamp - 300)).ok).toBe(true);
    expect(verify(at(timestamp + 300)).ok).toBe(true);
    expect(verify(at(timestamp - 301))).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
    expect(verify(at(timestamp + 301))).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
    expect(verifyStandardWebhook({ body, headers: at(timestamp - 30), secrets: [secret], now: nowMs, toleranceSeconds: 10 }).ok).toBe(
      false,
    );
  });

  it('refuses malformed timestamps cleanly', () => {
    for (const value of ['abc', '1.5e9', '1750000000000', '-1', '99999999999999999999', '', ' ', '0x10', `${timestamp}, ${timestamp}`]) {
      expect(verify(headersFor(signature, { 'webhook-timestamp': value }))).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    }
  });

  it('accepts any matching v1 signature and ignores other versions', () => {
    const bad = `v1,${Buffer.alloc(32).toString('base64')}`;
    expect(verify(headersFor(`${bad} ${signature}`)).ok).toBe(true);
    expect(verify(headersFor(`v1a,${signature.slice(3)} ${signature}`)).ok).toBe(true);
    expect(verify(headersFor(`v2,abc ${signature}`)).ok).toBe(true);
    expect(verify(headersFor(bad))).toMatchObject({ code: 'signature_invalid' });
    expect(verify(headersFor(`v1a,${signature.slice(3)}`))).toMatchObject({ code: 'signature_invalid' });
  });

  it('refuses truncated, extended and empty signatures without throwing (never a 500)', () => {
    for (const value of ['v1,', 'v1', `v1,${signature.slice(3, 13)}`, `${signature}AA`, `${signature}!!`, `${signature}=`, ',', ' ', 'v1,,']) {
      expect(verify(headersFor(value))).toMatchObject({ ok: false, code: 'signature_invalid' });
    }
  });

  it('refuses a 10 000-entry signature header quickly', () => {
    const started = performance.now();
    const huge = Array.from({ length: 10_000 }, () => 'v1,AAAA').join(' ');
    expect(verify(headersFor(`${huge} ${signature}`))).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('parses repeated header lines as candidates (node joins them with ", ")', () => {
    const bad = `v1,${Buffer.alloc(32).toString('base64')}`;
    expect(verify(headersFor('', { 'webhook-signature': `${bad}, ${signature}` })).ok).toBe(true);
    expect(verify({ ...headersFor(''), 'webhook-signature': [bad, signature] }).ok).toBe(true);
  });

  it('rotation: a header signed with two secrets verifies with either one', () => {
    const header = signatureHeader([otherSecret, secret], id, timestamp, body);
    expect(header.split(' ')).toHaveLength(2);
    for (const only of [secret, otherSecret]) {
      expect(verifyStandardWebhook({ body, headers: headersFor(header), secrets: [only], now: nowMs }).ok).toBe(true);
    }
    // And a receiver holding both keys accepts a sender that signs with only the new one.
    expect(verifyStandardWebhook({ body, headers: headersFor(signature), secrets: [otherSecret, secret], now: nowMs }).ok).toBe(true);
  });

  it('signs raw bytes: bodies differing only in invalid UTF-8 get different signatures', () => {
    const a = signStandardWebhook({ id, timestamp, body: Buffer.from([0x7b, 0xff, 0x7d]), secret });
    const b = signStandardWebhook({ id, timestamp, body: Buffer.from([0x7b, 0xfe, 0x7d]), secret });
    expect(a).not.toBe(b);
    expect(verify(headersFor(a), { body: Buffer.from([0x7b, 0xfe, 0x7d]) }).ok).toBe(false);
  });

  it('throws for caller mistakes, never answering ok', () => {
    expect(() => verifyStandardWebhook({ body, headers: headersFor(signature), secrets: [], now: nowMs })).toThrow(RangeError);
    expect(() => verifyStandardWebhook({ body: JSON.parse(body), headers: headersFor(signature), secrets: [secret] })).toThrow(TypeError);
    expect(() => verifyStandardWebhook({ body, headers: headersFor(signature), secrets: [secret], toleranceSeconds: Number.NaN })).toThrow(
      RangeError,
    );
    expect(() => signStandardWebhook({ id, timestamp: nowMs, body, secret })).toThrow(/unix seconds/);
  });
});
