// Every verify scheme of spec section 7 against requests signed by the REAL third-party libraries
// (or, for Shopify and generic HMAC, a fixed published-algorithm vector): accepted when genuine, and
// refused with the right status and a request-log entry naming the reason when forged, signed with
// another secret, stale, from the future, missing its header, or re-serialised.

import { createHmac, randomBytes } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.js';
import { createInboundHarness, createSource, logEntry, postIngress } from './inbound-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createInboundHarness();
});
afterAll(async () => {
  await h.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);
const stripe = new Stripe('sk_test_inbound_interop');
// Whitespace on purpose: re-serialising it gives the same JSON in other bytes.
const bodyOf = (type: string, id = `evt_${randomBytes(6).toString('hex')}`) => `{ "id": "${id}", "type": "${type}",  "data": { "amount": 4200, "note": "ünïcödé" } }`;
const reserialise = (body: string) => JSON.stringify(JSON.parse(body));

interface SchemeCase {
  name: string;
  verify: Record<string, unknown>;
  /** Header that carries the signature (removed for the "missing header" case). */
  signatureHeader: string;
  timestamped: boolean;
  /** Headers for `body`, signed by the third-party library with `secret` at `timestamp` (unix s). */
  sign(body: string, secret: string, timestamp: number): Promise<Record<string, string>>;
  /** A secret for "wrong secret" (same shape as the real one). */
  otherSecret(): string;
}

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;

const schemes: SchemeCase[] = [
  {
    name: 'standard-webhooks (standardwebhooks 1.1.1)',
    verify: { scheme: 'standard-webhooks' },
    signatureHeader: 'webhook-signature',
    timestamped: true,
    async sign(body, secret, timestamp) {
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const signature = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body);
      return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    },
    otherSecret: whsec,
  },
  {
    name: 'standard-webhooks with svix-* headers (svix 1.99.1)',
    verify: { scheme: 'standard-webhooks' },
    signatureHeader: 'svix-signature',
    timestamped: true,
    async sign(body, secret, timestamp) {
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const signature = new SvixWebhook(secret).sign(id, new Date(timestamp * 1000), body);
      return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature };
    },
    otherSecret: whsec,
  },
  {
    name: 'stripe (stripe.webhooks.generateTestHeaderString)',
    verify: { scheme: 'stripe', secret: 'whsec_stripe_interop_secret' },
    signatureHeader: 'stripe-signature',
    timestamped: true,
    async sign(body, secret, timestamp) {
      return { 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
    },
    otherSecret: () => 'whsec_another_stripe_secret',
  },
  {
    name: 'github (@octokit/webhooks-methods 6.0.0)',
    verify: { scheme: 'github', secret: "It's a Secret to Everybody" },
    signatureHeader: 'x-hub-signature-256',
    timestamped: false,
    async sign(body, secret) {
      return { 'x-hub-signature-256': await octokitSign(secret, body), 'x-github-delivery': randomBytes(16).toString('hex'), 'x-github-event': 'push' };
    },
    otherSecret: () => 'not the secret',
  },
  {
    name: 'shopify (published algorithm: base64 HMAC-SHA256 of the body)',
    verify: { scheme: 'shopify', secret: 'shpss_fixed_vector_secret' },
    signatureHeader: 'x-shopify-hmac-sha256',
    timestamped: false,
    async sign(body, secret) {
      return { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body, 'utf8').digest('base64'), 'x-shopify-webhook-id': randomBytes(8).toString('hex') };
    },
    otherSecret: () => 'shpss_other',
  },
  {
    name: 'hmac (generic: sha512, hex, prefix)',
    verify: { scheme: 'hmac', secret: 'partner-secret', header: 'X-Partner-Signature', algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=' },
    signatureHeader: 'x-partner-signature',
    timestamped: false,
    async sign(body, secret) {
      return { 'x-partner-signature': `sha512=${createHmac('sha512', secret).update(body, 'utf8').digest('hex')}` };
    },
    otherSecret: () => 'other-partner-secret',
  },
];

/** Flip one character in the middle of the signature part of a header value. */
function forge(value: string): string {
  const i = Math.floor(value.length * 0.75);
  const c = value[i]!;
  const replacement = c === 'A' ? 'B' : c === '0' ? '1' : /[0-9a-f]/.test(c) ? (c === 'f' ? 'e' : 'f') : 'A';
  return value.slice(0, i) + replacement + value.slice(i + 1);
}

describe.each(schemes)('$name', (scheme) => {
  let sourceId: string;
  let secret: string;

  beforeAll(async () => {
    const source = await createSource(h, { verify: scheme.verify });
    sourceId = source.id;
    // Shown once at creation (generated when the scheme allows it).
    secret = String(source.verify.secret);
    expect(secret).not.toBe('[redacted]');
    const again = await h.request('GET', `/v1/sources/${sourceId}`);
    expect(again.body.verify.secret).toBe('[redacted]');
  });

  async function expectRefused(answer: Awaited<ReturnType<typeof postIngress>>, code: string, reason: RegExp): Promise<void> {
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code, status: 401 });
    const entry = await logEntry(h, sourceId, answer);
    expect(entry).toMatchObject({ verdict: 'rejected', code, status: 401, eventId: null });
    expect(entry.reason).toMatch(reason);
    // Credentials and signatures never reach the log in clear.
    expect(entry.headers[scheme.signatureHeader] ?? '[redacted]').toBe('[redacted]');
  }

  it('accepts a genuine request and logs it', async () => {
    const body = bodyOf('payment.completed');
    const answer = await postIngress(h, sourceId, body, await scheme.sign(body, secret, nowSeconds()));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id: expect.stringMatching(/^req_/), eventId: expect.stringMatching(/^evt_/) });
    const entry = await logEntry(h, sourceId, answer);
    expect(entry).toMatchObject({ verdict: 'accepted', code: null, status: 202, eventId: answer.body.eventId, body });
    const event = await h.request('GET', `/v1/events/${answer.body.eventId}`);
    expect(event.body).toMatchObject({ sourceId, data: JSON.parse(body) });
  });

  it('refuses a forged signature', async () => {
    const body = bodyOf('payment.completed');
    const headers = await scheme.sign(body, secret, nowSeconds());
    headers[scheme.signatureHeader] = forge(headers[scheme.signatureHeader]!);
    await expectRefused(await postIngress(h, sourceId, body, headers), 'signature_invalid', /signature|match/i);
  });

  it('refuses a signature made with another secret', async () => {
    const body = bodyOf('payment.completed');
    await expectRefused(await postIngress(h, sourceId, body, await scheme.sign(body, scheme.otherSecret(), nowSeconds())), 'signature_invalid', /match/i);
  });

  it('refuses a request whose signature header is missing', async () => {
    const body = bodyOf('payment.completed');
    const headers = await scheme.sign(body, secret, nowSeconds());
    delete headers[scheme.signatureHeader];
    await expectRefused(await postIngress(h, sourceId, body, headers), 'signature_invalid', /missing/i);
  });

  it('refuses a re-serialised body (same JSON, other bytes)', async () => {
    const body = bodyOf('payment.completed');
    const headers = await scheme.sign(body, secret, nowSeconds());
    expect(reserialise(body)).not.toBe(body);
    await expectRefused(await postIngress(h, sourceId, reserialise(body), headers), 'signature_invalid', /match/i);
  });

  // GitHub, Shopify and generic HMAC sign no timestamp: replays are stopped by deduplication instead.
  if (scheme.timestamped) {
    it('refuses a stale timestamp (6 minutes old)', async () => {
      const body = bodyOf('payment.completed');
      await expectRefused(await postIngress(h, sourceId, body, await scheme.sign(body, secret, nowSeconds() - 360)), 'timestamp_out_of_tolerance', /too old/);
    });

    it('refuses a future timestamp (6 minutes ahead)', async () => {
      const body = bodyOf('payment.completed');
      await expectRefused(await postIngress(h, sourceId, body, await scheme.sign(body, secret, nowSeconds() + 360)), 'timestamp_out_of_tolerance', /future/);
    });

    it('accepts a timestamp inside the tolerance (4 minutes old)', async () => {
      const body = bodyOf('payment.completed');
      expect((await postIngress(h, sourceId, body, await scheme.sign(body, secret, nowSeconds() - 240))).status).toBe(202);
    });
  }

  it('acknowledges a retried delivery without a second event', async () => {
    const body = bodyOf('payment.completed');
    const headers = await scheme.sign(body, secret, nowSeconds());
    const first = await postIngress(h, sourceId, body, headers);
    const retry = await postIngress(h, sourceId, body, headers);
    expect(first.status).toBe(202);
    // Shopify/GitHub/HMAC/Standard Webhooks dedupe on their delivery-id header, Stripe on the event id.
    if (scheme.name.startsWith('hmac')) {
      expect(retry.status).toBe(202); // the generic scheme has no delivery id here (no Idempotency-Key)
      return;
    }
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, eventId: first.body.eventId, duplicateOf: first.body.id });
    expect((await logEntry(h, sourceId, retry)).verdict).toBe('duplicate');
  });
});

describe('fixed vectors', () => {
  it('GitHub: the documented vector ("Hello, World!") verifies, then is refused as not JSON', async () => {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload
    // "Hello, World!" -> sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17.
    // The payload is not JSON, so it is verified and then refused as invalid_json (400, not 401).
    const source = await createSource(h, { verify: { scheme: 'github', secret: "It's a Secret to Everybody" } });
    const answer = await postIngress(h, source.id, 'Hello, World!', { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_json', line: 1, column: 1 });
  });

  it('Shopify: a fixed vector', async () => {
    const source = await createSource(h, { verify: { scheme: 'shopify', secret: 'shpss_fixed_vector_secret' }, eventType: { header: 'x-shopify-topic' } });
    const body = '{"id":820982911946154508,"email":"jon@doe.ca","topic":"orders/create"}';
    const headers = { 'x-shopify-hmac-sha256': 'QVDSYxRJD1qUbVFb5oi5vbq2Hxzy28MsAafUTCh3kGQ=', 'x-shopify-topic': 'orders.create', 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' };
    const answer = await postIngress(h, source.id, body, headers);
    expect(answer.status).toBe(202);
    expect(answer.body.type).toBe('orders.create');
    // The log keeps the exact text (JS would round the id to ...500 if it re-serialised).
    expect((await logEntry(h, source.id, answer)).body).toBe(body);
  });

  it('generic HMAC: a fixed sha512/hex vector with prefix', async () => {
    const source = await createSource(h, { verify: { scheme: 'hmac', secret: 'partner-secret', header: 'x-partner-signature', algorithm: 'sha512', encoding: 'hex', prefix: 'sha512=' } });
    const body = '{"type":"partner.order","orderId":"o-1"}';
    const signature = 'sha512=6b1de1326158231c1431569aea25bf43a351f079edb9776935ad15c7adfb846166e50aa35ef340fc7945430d47acd80798d9457508c266e019a3171c2d2abf8c';
    expect((await postIngress(h, source.id, body, { 'x-partner-signature': signature })).status).toBe(202);
    // Upper-case hex is the same digest.
    expect((await postIngress(h, source.id, body, { 'x-partner-signature': signature.toUpperCase().replace('SHA512=', 'sha512=') })).status).toBe(202);
    const wrong = await postIngress(h, source.id, body, { 'x-partner-signature': signature.replace('sha512=', 'sha256=') });
    expect(wrong.status).toBe(401);
  });

  it('Standard Webhooks: the reference vector with a frozen clock is refused as stale, not as forged', async () => {
    const source = await createSource(h, { verify: { scheme: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    const answer = await postIngress(h, source.id, '{"test": 2432232314}', {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('timestamp_out_of_tolerance');
  });
});

describe('credential schemes', () => {
  it('api-key: right value accepted, wrong or missing refused, the key redacted in the log', async () => {
    const source = await createSource(h, { verify: { scheme: 'api-key', header: 'X-Partner-Key', value: 'pk_live_123456' }, eventType: 'partner.event' });
    const ok = await postIngress(h, source.id, '{}', { 'x-partner-key': 'pk_live_123456' });
    expect(ok.status).toBe(202);
    expect((await logEntry(h, source.id, ok)).headers['x-partner-key']).toBe('[redacted]');
    const wrong = await postIngress(h, source.id, '{}', { 'x-partner-key': 'pk_live_123457' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('credentials_invalid');
    const short = await postIngress(h, source.id, '{}', { 'x-partner-key': 'pk' });
    expect(short.status).toBe(401);
    const missing = await postIngress(h, source.id, '{}');
    expect(missing.status).toBe(401);
    expect((await logEntry(h, source.id, missing)).reason).toMatch(/Missing/);
  });

  it('bearer: right token accepted, wrong scheme or token refused', async () => {
    const source = await createSource(h, { verify: { scheme: 'bearer', token: 'tok_abcdef' }, eventType: 'partner.event' });
    expect((await postIngress(h, source.id, '{}', { authorization: 'Bearer tok_abcdef' })).status).toBe(202);
    expect((await postIngress(h, source.id, '{}', { authorization: 'bearer tok_abcdef' })).status).toBe(202);
    expect((await postIngress(h, source.id, '{}', { authorization: 'Bearer tok_abcdeg' })).status).toBe(401);
    expect((await postIngress(h, source.id, '{}', { authorization: 'Basic tok_abcdef' })).status).toBe(401);
    const missing = await postIngress(h, source.id, '{}');
    expect(missing.body.code).toBe('credentials_invalid');
    const logged = await logEntry(h, source.id, await postIngress(h, source.id, '{}', { authorization: 'Bearer tok_abcdeg' }));
    expect(logged.headers.authorization).toBe('[redacted]');
  });

  it('basic: both parts checked', async () => {
    const source = await createSource(h, { verify: { scheme: 'basic', username: 'stripe', password: 'p@ss:word' }, eventType: 'partner.event' });
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    expect((await postIngress(h, source.id, '{}', basic('stripe', 'p@ss:word'))).status).toBe(202);
    expect((await postIngress(h, source.id, '{}', basic('stripe', 'p@ss:wore'))).status).toBe(401);
    expect((await postIngress(h, source.id, '{}', basic('strip', 'p@ss:word'))).status).toBe(401);
    expect((await postIngress(h, source.id, '{}', { authorization: 'Basic !!!' })).status).toBe(401);
  });

  it('none: accepts anything well-formed', async () => {
    const source = await createSource(h, { verify: { scheme: 'none' }, eventType: 'partner.event' });
    expect((await postIngress(h, source.id, '{"a":1}')).status).toBe(202);
  });
});
