// Inbound sources that accept Standard Webhooks v1a (ed25519) from other senders, including hookd's
// own ed25519 deliveries (a hookd delivering to its own ingress, keys taken from its key set).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually } from './helpers/receiver.js';
import { createSource, postIngress } from './inbound-helpers.js';
import { generateSigningKeyPair, jwkToPublicKey, signStandardWebhook, signStandardWebhookV1a } from '../src/signature/index.js';

let h: Harness;
let base: string;
const sender = generateSigningKeyPair();
const body = '{"type":"chat.started","data":{"chatId":"c_9"}}';

beforeAll(async () => {
  h = await createHarness({ port: 0 });
  base = (await h.runtime.listen()).replace('localhost', '127.0.0.1');
});
afterAll(async () => {
  await h.close();
});

function signed(secretKey: string, id = `msg_${Math.random().toString(36).slice(2)}`): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhookV1a({ id, timestamp: ts, body, secretKey }) };
}

describe('standard-webhooks sources with public keys', () => {
  it('accept v1a by a configured key, refuse others, and still accept v1 with the secret', async () => {
    const source = await createSource(h, { verify: { scheme: 'standard-webhooks', publicKeys: [generateSigningKeyPair().publicKey, sender.publicKey] } });
    expect((await postIngress(h, source.id, body, signed(sender.secretKey))).status).toBe(202);
    const forged = await postIngress(h, source.id, body, signed(generateSigningKeyPair().secretKey));
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('signature_invalid');
    const id = 'msg_v1';
    const ts = Math.floor(Date.now() / 1000);
    const v1 = signStandardWebhook({ id, timestamp: ts, body, secret: source.verify.secret as string });
    expect((await postIngress(h, source.id, body, { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': v1 })).status).toBe(202);
  });

  it('a source without public keys does not accept v1a', async () => {
    const source = await createSource(h, { verify: { scheme: 'standard-webhooks' } });
    expect((await postIngress(h, source.id, body, signed(sender.secretKey))).status).toBe(401);
  });

  it('names the late-but-genuine case: timestamp_out_of_tolerance', async () => {
    const source = await createSource(h, { verify: { scheme: 'standard-webhooks', publicKeys: [sender.publicKey] } });
    const ts = Math.floor(Date.now() / 1000) - 3600;
    const headers = { 'webhook-id': 'msg_late', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhookV1a({ id: 'msg_late', timestamp: ts, body, secretKey: sender.secretKey }) };
    const res = await postIngress(h, source.id, body, headers);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('timestamp_out_of_tolerance');
  });

  it('refuses malformed public keys with the path', async () => {
    for (const publicKeys of [['whpk_short'], 'whpk_x', [], [5], [sender.publicKey, sender.publicKey], Array(6).fill(0).map(() => generateSigningKeyPair().publicKey)]) {
      const res = await h.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'standard-webhooks', publicKeys } } });
      expect(res.status, JSON.stringify(publicKeys).slice(0, 40)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it("verifies hookd's own ed25519 deliveries with keys from hookd's key set", async () => {
    // the tenant key exists once an ed25519 endpoint does; its JWK Set gives the whpk_ keys
    const placeholder = await h.request('POST', '/v1/endpoints', { body: { url: `${base}/healthz`, signing: 'ed25519', eventTypes: ['never.sent'] } });
    expect(placeholder.status).toBe(201);
    const jwks = (await h.request('GET', '/.well-known/webhooks/jwks.json', { key: null })).body.keys as unknown[];
    const publicKeys = jwks.map((j) => jwkToPublicKey(j)!.publicKey);
    const source = await createSource(h, { verify: { scheme: 'standard-webhooks', publicKeys } });
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: `${base}/in/${source.id}`, signing: 'ed25519', eventTypes: ['loop.once'] } });
    expect(ep.status).toBe(201);
    await h.request('POST', '/v1/events', { body: { type: 'loop.once', data: { hop: 1 } } });
    const log = await eventually(async () => {
      const res = await h.request('GET', `/v1/sources/${source.id}/requests`);
      return res.body.data?.length > 0 ? res.body.data : null;
    });
    expect(log[0]).toMatchObject({ verdict: 'accepted' });
  });
});
