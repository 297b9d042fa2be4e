// Property tests: hostile headers and bodies never make a verifier throw (a throw would be a 500),
// and any single-byte change to a signed body is detected.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  signStandardWebhook,
  verifyGithub,
  verifyHmac,
  verifyShopify,
  verifyStandardWebhook,
  verifyStripe,
} from '../src/signature/index.js';

const secret = generateSecret();
const now = 1_750_000_000_000;
const headerNames = fc.constantFrom(
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'Webhook-Signature',
  'stripe-signature',
  'x-hub-signature-256',
  'x-shopify-hmac-sha256',
  'x-sig',
);
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constantFrom('v1,', 'v1', 't=1,v1=', 'sha256=', 't=,v1=ab', 'v1,====', '1750000000'),
  fc.stringMatching(/^(v1,[A-Za-z0-9+/=]{0,50} ?){1,4}$/),
);
const headers = fc.dictionary(fc.oneof(headerNames, fc.string()), headerValue, { maxKeys: 8 });
const body = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 256 }));

describe('verifiers never throw on arbitrary headers and bodies', () => {
  it('standard webhooks', () => {
    fc.assert(
      fc.property(headers, body, (h, b) => {
        const result = verifyStandardWebhook({ body: b, headers: h, secrets: [secret], now });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('stripe, github, shopify and generic hmac', () => {
    fc.assert(
      fc.property(headers, body, (h, b) => {
        expect(verifyStripe({ body: b, headers: h, secret: 'whsec_x', now }).ok).toBe(false);
        expect(verifyGithub({ body: b, headers: h, secret: 's' }).ok).toBe(false);
        expect(verifyShopify({ body: b, headers: h, secret: 's' }).ok).toBe(false);
        expect(verifyHmac({ header: 'x-sig', algorithm: 'sha512', encoding: 'base64', body: b, headers: h, secret: 's' }).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('headers that are not even objects yield signature_missing', () => {
    for (const h of [null, undefined, 42, 'webhook-id: x', []] as unknown[]) {
      expect(verifyStandardWebhook({ body: '{}', headers: h as Record<string, string>, secrets: [secret], now })).toMatchObject({
        code: 'signature_missing',
      });
    }
  });
});

describe('signing round-trips and detects any single-byte change', () => {
  it('sign -> verify holds for arbitrary ids and raw bodies', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), fc.uint8Array({ maxLength: 512 }), (id, bytes) => {
        const b = Buffer.from(bytes);
        const timestamp = now / 1000;
        const h = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook({ id, timestamp, body: b, secret }) };
        expect(verifyStandardWebhook({ body: b, headers: h, secrets: [secret], now }).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('flipping one byte of the body fails verification', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, index, xor) => {
        const original = Buffer.from(bytes);
        const timestamp = now / 1000;
        const h = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook({ id: 'evt_1', timestamp, body: original, secret }) };
        const tampered = Buffer.from(original);
        const at = index % tampered.length;
        tampered[at] = (tampered[at] ?? 0) ^ xor;
        expect(verifyStandardWebhook({ body: tampered, headers: h, secrets: [secret], now })).toMatchObject({ ok: false, code: 'signature_invalid' });
      }),
      { numRuns: 300 },
    );
  });
});
