// A full ed25519 key rotation seen from a receiver that knows nothing but the key-set URL: hookd's
// own receiver (hookd/receiver with keySetUrl-style caching) and an independent one (jose's remote
// JWK Set + WebCrypto) both verify every delivery before, during and after the rotation. The clock
// is hookd's injected one, moved forward by days; the HTTP, the store and the signatures are real.

import { webcrypto } from 'node:crypto';
import { createRemoteJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';
import { createKeySetVerifier, createReceiver, type WebhookReceiver } from '../src/receiver/index.js';

let offset = 0;
const clock = (): number => Date.now() + offset;
let h: Harness;
let base: string;
let endpoint: Receiver;
let hookdReceiver: WebhookReceiver;
let keySet: ReturnType<typeof createKeySetVerifier>;
const verdicts: Array<{ ok: boolean; code?: string }> = [];

beforeAll(async () => {
  h = await createHarness({ port: 0, keySetMaxAgeSeconds: 300, signingKeyOverlapSeconds: 86_400, signingKeyRotationDays: 2 }, { now: clock });
  base = (await h.runtime.listen()).replace('localhost', '127.0.0.1');
  keySet = createKeySetVerifier({ url: `${base}/.well-known/webhooks/jwks.json?tenant=rot`, now: clock });
  hookdReceiver = createReceiver({ keySet, now: clock, dedupe: false });
  endpoint = await startReceiver(async (req, res) => {
    try {
      await hookdReceiver.verify(req.body, req.headers);
      verdicts.push({ ok: true });
      res.writeHead(204).end();
    } catch (error) {
      verdicts.push({ ok: false, code: (error as { code?: string }).code });
      res.writeHead(401).end();
    }
  });
  const ep = await h.request('POST', '/v1/endpoints', { body: { url: endpoint.url, tenant: 'rot', signing: 'ed25519' } });
  expect(ep.status).toBe(201);
}, 30_000);

afterAll(async () => {
  await h.close();
  await endpoint.close();
});

/** Publish one event and return the request hookd sent for it. */
async function deliverOne(n: number): Promise<ReceivedRequest> {
  const before = endpoint.requests.length;
  const res = await h.request('POST', '/v1/events', { body: { type: 'rot.tick', data: { n }, tenant: 'rot' } });
  expect(res.status).toBe(202);
  const request = (await endpoint.waitFor(before + 1, 10_000))[before]!;
  // Wait for the result to be recorded before the clock jumps, or the jump would expire the lease
  // and the delivery would (rightly) go out again.
  await eventually(async () => {
    const list = await h.request('GET', `/v1/events/${res.body.id}/deliveries`);
    return list.body.data?.[0]?.status === 'succeeded';
  });
  return request;
}

/** An independent verifier: jose fetches the key set by itself, WebCrypto checks the signature. */
async function independentlyVerified(req: ReceivedRequest): Promise<boolean> {
  const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/webhooks/jwks.json?tenant=rot`));
  const content = Buffer.concat([Buffer.from(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.`), req.body]);
  const kids = req.headers['webhook-key-id']!.split(' ');
  const signatures = req.headers['webhook-signature']!.split(' ').filter((s) => s.startsWith('v1a,'));
  expect(signatures).toHaveLength(kids.length);
  for (const [i, kid] of kids.entries()) {
    const key = (await jwks({ alg: 'EdDSA', kid })) as webcrypto.CryptoKey;
    if (!(await webcrypto.subtle.verify({ name: 'Ed25519' }, key, Buffer.from(signatures[i]!.slice(4), 'base64'), content))) return false;
  }
  return true;
}

const keySetKids = async (): Promise<string[]> => (await h.request('GET', '/.well-known/webhooks/jwks.json?tenant=rot', { key: null })).body.keys.map((k: { kid: string }) => k.kid);
const advance = (ms: number): void => {
  offset += ms;
};

describe('a receiver that only knows the key-set URL, through a whole rotation', () => {
  it('keeps verifying: before, published-not-signing, overlap (both keys), after retirement', async () => {
    // 1. one key
    const first = await deliverOne(1);
    const [oldKid] = await keySetKids();
    expect(first.headers['webhook-key-id']).toBe(oldKid);
    expect(await independentlyVerified(first)).toBe(true);

    // 2. two days later the key is due: the next signing reads it and rotates; the new key is
    //    published at once but signs only after the key set's max-age (300 s)
    advance(2 * 86_400_000 + 60_000);
    const second = await deliverOne(2);
    const published = await keySetKids();
    expect(published).toHaveLength(2);
    const newKid = published.find((k) => k !== oldKid)!;
    expect(second.headers['webhook-key-id']).toBe(oldKid);
    expect(await independentlyVerified(second)).toBe(true);

    // 3. overlap: both sign, newest first
    advance(301_000 + 31_000);
    const third = await deliverOne(3);
    expect(third.headers['webhook-key-id']).toBe(`${newKid} ${oldKid}`);
    expect(third.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(await independentlyVerified(third)).toBe(true);

    // 4. the overlap is over: the old key is gone from the key set and from the signatures
    advance(86_400_000 + 31_000);
    const fourth = await deliverOne(4);
    expect(fourth.headers['webhook-key-id']).toBe(newKid);
    expect(await keySetKids()).toEqual([newKid]);
    expect(await independentlyVerified(fourth)).toBe(true);

    expect(verdicts, JSON.stringify(endpoint.requests.map((r) => [r.headers["webhook-id"], r.headers["webhook-key-id"], r.body.toString().slice(0, 60)]))).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    // Cache-Control honoured: one fetch per phase at most (every phase here is past max-age).
    expect(keySet.fetches).toBeGreaterThanOrEqual(2);
    expect(keySet.fetches).toBeLessThanOrEqual(4);
    // no HMAC anywhere
    for (const r of endpoint.requests) expect(r.headers['webhook-signature']).not.toMatch(/(^| )v1,/);
  }, 60_000);
});
