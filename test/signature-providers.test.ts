import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signGithub,
  signHmac,
  signShopify,
  signStripe,
  verifyGithub,
  verifyHmac,
  verifyShopify,
  verifyStripe,
} from '../src/signature/index.js';

const body = '{"id":820982911946154508,"email":"jon@doe.ca"}';
const reserialised = JSON.stringify(JSON.parse(body), null, 1);

describe('fixed vectors computed independently with node:crypto', () => {
  it('Shopify: base64 HMAC-SHA256 of the body', () => {
    const secret = 'shpss_test_secret';
    const expected = 'ydL79GgFis+45WlpB77OS7dfcX+8t6iObguHVHAAEPc=';
    expect(createHmac('sha256', secret).update(body).digest('base64')).toBe(expected);
    expect(signShopify({ body, secret })).toBe(expected);
    expect(verifyShopify({ body, headers: { 'X-Shopify-Hmac-Sha256': expected }, secret })).toEqual({ ok: true });
  });

  it('GitHub: the documented example (secret "It\'s a Secret to Everybody", body "Hello, World!")', () => {
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signGithub({ body: 'Hello, World!', secret: "It's a Secret to Everybody" })).toBe(expected);
  });

  it('generic hmac: sha512/hex with a prefix and sha256/base64 without', () => {
    const payload = '{"event":"order.paid","amount":4200}';
    const secret = 'partner-secret-123';
    const hex512 =
      '5262feb4a119236b4a1f51df9628fd4c27c826724423d81bc990626c475cc7942d2f37714e6dac8438da22f3302abf6e63ae30728d3fee674b2ab66fea34b21a';
    expect(createHmac('sha512', secret).update(payload).digest('hex')).toBe(hex512);
    expect(signHmac({ body: payload, secret, algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=' })).toBe(`sha512=${hex512}`);
    const scheme512 = { header: 'X-Partner-Signature', algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=' } as const;
    expect(verifyHmac({ ...scheme512, body: payload, secret, headers: { 'x-partner-signature': `sha512=${hex512}` } }).ok).toBe(true);
    // Hex is case-insensitive.
    expect(verifyHmac({ ...scheme512, body: payload, secret, headers: { 'x-partner-signature': `sha512=${hex512.toUpperCase()}` } }).ok).toBe(true);

    const b64 = 'bHLmEuBedCi56BDwUH+fV24Hzf/sb58CKb8dWjvVTI8=';
    expect(signHmac({ body: payload, secret, algorithm: 'sha256', encoding: 'base64' })).toBe(b64);
    expect(verifyHmac({ header: 'x-sig', algorithm: 'sha256', encoding: 'base64', body: payload, secret, headers: { 'X-Sig': b64 } }).ok).toBe(
      true,
    );
  });
});

// The failure matrix, once per scheme. `sign(body, secret, timestamp)` returns the headers.
interface SchemeCase {
  name: string;
  header: string;
  timestamped: boolean;
  sign: (body: string, secret: string, timestamp: number) => string;
  verify: (input: { body: string; headers: Record<string, string>; secret: string | string[]; now: number }) => { ok: boolean; code?: string };
}

const hmacScheme = { header: 'x-signature', algorithm: 'sha256', encoding: 'hex', prefix: 'v=' } as const;
const schemes: SchemeCase[] = [
  {
    name: 'stripe',
    header: 'stripe-signature',
    timestamped: true,
    sign: (b, secret, timestamp) => signStripe({ body: b, secret, timestamp }),
    verify: (input) => verifyStripe(input),
  },
  { name: 'github', header: 'x-hub-signature-256', timestamped: false, sign: (b, secret) => signGithub({ body: b, secret }), verify: verifyGithub },
  { name: 'shopify', header: 'x-shopify-hmac-sha256', timestamped: false, sign: (b, secret) => signShopify({ body: b, secret }), verify: verifyShopify },
  {
    name: 'hmac',
    header: 'x-signature',
    timestamped: false,
    sign: (b, secret) => signHmac({ ...hmacScheme, body: b, secret }),
    verify: (input) => verifyHmac({ ...hmacScheme, ...input }),
  },
];

describe.each(schemes)('$name failure matrix', (scheme) => {
  const secret = 'whsec_provider_secret_one';
  const other = 'whsec_provider_secret_two';
  const timestamp = 1_750_000_000;
  const now = timestamp * 1000;
  const signed = scheme.sign(body, secret, timestamp);
  const verify = (headerValue: string | undefined, opts: { body?: string; secret?: string | string[]; now?: number } = {}) =>
    scheme.verify({
      body: opts.body ?? body,
      headers: headerValue === undefined ? {} : { [scheme.header]: headerValue },
      secret: opts.secret ?? secret,
      now: opts.now ?? now,
    });

  it('accepts a valid signature', () => {
    expect(verify(signed).ok).toBe(true);
  });

  it('refuses a forged signature', () => {
    const forged = scheme.sign(body, 'attacker', timestamp);
    expect(verify(forged)).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('refuses the wrong secret', () => {
    expect(verify(signed, { secret: other })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('refuses a missing header', () => {
    expect(verify(undefined)).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify('')).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('refuses a re-serialised body', () => {
    expect(verify(signed, { body: reserialised })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('does not throw on truncated or extended signatures', () => {
    for (const value of [signed.slice(0, 10), `${signed}00`, `${signed}==`, signed.slice(0, -1), 'garbage', '=', ',,,', 'v1=', 't=,v1=']) {
      const result = verify(value);
      expect(result.ok).toBe(false);
    }
  });

  it('rotation: two signatures (or two secrets), either verifies', () => {
    const both = [scheme.sign(body, other, timestamp), signed];
    // Stripe puts several v1 entries in one header; the others arrive as repeated header lines.
    const header = scheme.name === 'stripe' ? `${signed},v1=${both[0]?.split('v1=')[1] ?? ''}` : both.join(', ');
    expect(verify(header).ok).toBe(true);
    expect(verify(header, { secret: other }).ok).toBe(true);
    expect(verify(signed, { secret: [other, secret] }).ok).toBe(true);
  });

  if (scheme.timestamped) {
    it('refuses stale and future timestamps (two-sided), accepting the edge', () => {
      expect(verify(signed, { now: now + 300_000 }).ok).toBe(true);
      expect(verify(signed, { now: now - 300_000 }).ok).toBe(true);
      expect(verify(signed, { now: now + 301_000 })).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
      expect(verify(signed, { now: now - 301_000 })).toMatchObject({ ok: false, code: 'timestamp_out_of_tolerance' });
    });

    it('refuses malformed or duplicate timestamps', () => {
      const v1 = signed.split(',')[1] ?? '';
      for (const t of ['abc', '1.5e9', '-1', '', '1750000000000']) {
        expect(verify(`t=${t},${v1}`)).toMatchObject({ ok: false, code: 'timestamp_invalid' });
      }
      expect(verify(v1)).toMatchObject({ ok: false, code: 'timestamp_invalid' });
      expect(verify(`${signed}, ${signed}`)).toMatchObject({ ok: false, code: 'timestamp_invalid' });
    });
  }
});

describe('stripe specifics', () => {
  it('ignores v0 and unknown schemes, needs a v1', () => {
    const signed = signStripe({ body, secret: 's', timestamp: 1_750_000_000 });
    const [t, v1] = signed.split(',');
    expect(verifyStripe({ body, headers: { 'stripe-signature': `${t},v0=abc,${v1}` }, secret: 's', now: 1_750_000_000_000 }).ok).toBe(true);
    expect(verifyStripe({ body, headers: { 'stripe-signature': `${t},v0=abc` }, secret: 's', now: 1_750_000_000_000 })).toMatchObject({
      code: 'signature_invalid',
    });
  });
});

describe('provider configuration mistakes throw instead of accepting', () => {
  it('refuses empty secrets and unknown algorithms', () => {
    expect(() => verifyGithub({ body, headers: {}, secret: '' })).toThrow(RangeError);
    expect(() => verifyStripe({ body, headers: {}, secret: [] })).toThrow(RangeError);
    expect(() =>
      verifyHmac({ header: 'x', algorithm: 'md5' as 'sha256', encoding: 'hex', body, headers: {}, secret: 's' }),
    ).toThrow(RangeError);
  });
});
