// Interop with the libraries receivers and providers actually use: what we sign they accept, and
// what they sign we accept.

import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  signatureHeader,
  signGithub,
  signStripe,
  verifyGithub,
  verifyStandardWebhook,
  verifyStripe,
} from '../src/signature/index.js';

// These libraries read the wall clock, so the tests use the real current time.
const nowSeconds = () => Math.floor(Date.now() / 1000);
const body = '{"type":"payment.completed","timestamp":"2026-05-20T15:30:00.000Z","data":{"amount":4200,"note":"ünïcödé"}}';
const id = 'evt_0192f1a2b3c4';

describe('Standard Webhooks: standardwebhooks 1.1.1', () => {
  it('accepts what we sign (one secret, and a rotation header)', () => {
    const secret = generateSecret();
    const old = generateSecret(64);
    const timestamp = nowSeconds();
    for (const secrets of [[secret], [old, secret], [secret, old]]) {
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, id, timestamp, body) };
      expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    }
  });

  it('is accepted by us when it signs', () => {
    const secret = generateSecret(32);
    const timestamp = new Date();
    const signature = new StandardWebhook(secret).sign(id, timestamp, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
    expect(verifyStandardWebhook({ body, headers, secrets: [secret] }).ok).toBe(true);
    expect(verifyStandardWebhook({ body, headers, secrets: [generateSecret()] })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });
});

describe('Standard Webhooks: svix 1.99.1 with svix-* headers', () => {
  it('accepts what we sign', () => {
    const secret = generateSecret();
    const timestamp = nowSeconds();
    const headers = { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signatureHeader([secret], id, timestamp, body) };
    expect(new SvixWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new SvixWebhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('is accepted by us when it signs', () => {
    const secret = generateSecret();
    const date = new Date();
    const headers = {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
      'svix-signature': new SvixWebhook(secret).sign(id, date, body),
    };
    expect(verifyStandardWebhook({ body: Buffer.from(body), headers, secrets: [secret] })).toMatchObject({ ok: true, id });
  });
});

describe('Stripe: stripe package', () => {
  const stripe = new Stripe('sk_test_interop_only');
  const secret = 'whsec_test_interop_secret';

  it('accepts the header stripe.webhooks.generateTestHeaderString makes', () => {
    const timestamp = nowSeconds();
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
    expect(verifyStripe({ body, headers: { 'Stripe-Signature': header }, secret })).toEqual({ ok: true, timestamp });
    expect(verifyStripe({ body, headers: { 'stripe-signature': header }, secret: 'whsec_other' })).toMatchObject({ code: 'signature_invalid' });
  });

  it('signs what stripe.webhooks.constructEvent accepts', () => {
    const header = signStripe({ body, secret, timestamp: nowSeconds() });
    expect(stripe.webhooks.constructEvent(body, header, secret)).toEqual(JSON.parse(body));
    expect(() => stripe.webhooks.constructEvent(body, header, 'whsec_other')).toThrow();
  });
});

describe('GitHub: @octokit/webhooks-methods 6.0.0', () => {
  const secret = "It's a Secret to Everybody";

  it('accepts what octokit signs', async () => {
    const signature = await octokitSign(secret, body);
    expect(verifyGithub({ body, headers: { 'X-Hub-Signature-256': signature }, secret })).toEqual({ ok: true });
    expect(verifyGithub({ body, headers: { 'X-Hub-Signature-256': signature }, secret: 'nope' })).toMatchObject({ code: 'signature_invalid' });
  });

  it('signs what octokit verifies', async () => {
    const signature = signGithub({ body, secret });
    expect(signature).toBe(await octokitSign(secret, body));
    expect(await octokitVerify(secret, body, signature)).toBe(true);
    expect(await octokitVerify('nope', body, signature)).toBe(false);
  });
});
