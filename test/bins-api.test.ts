// Request bins end to end over the real runtime: create (capture URL, secret redacted), capture any
// method/subpath/content type with the raw bytes kept, the bin's behaviour answered, the signature
// checked, caps (truncation, requests kept, bins per tenant), expiry, tenant isolation, bad input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { signatureHeader } from '../src/signature/index.js';
import { startReceiver } from './helpers/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let h: Harness;
let now = Date.UTC(2030, 0, 1);
beforeAll(async () => {
  h = await createHarness({ env: { HOOKD_BIN_MAX_BODY_BYTES: '2048', HOOKD_BIN_MAX_REQUESTS: '3', HOOKD_BIN_MAX_PER_TENANT: '2' } }, { now: () => now });
});
afterAll(async () => {
  await h.close();
});

async function tenantKey(tenant: string): Promise<string> {
  return (await h.request('POST', '/v1/api-keys', { body: { tenant } })).body.key;
}

describe('request bins', () => {
  it('creates a bin with an unguessable id and its capture URL; the secret is never shown', async () => {
    const res = await h.request('POST', '/v1/bins', { body: { name: 'watch', status: 202, secret: SECRET } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.id).toMatch(/^bin_[0-9a-f]{32}$/);
    expect(res.body.captureUrl).toBe(`http://localhost:80/bin/${res.body.id}`);
    expect(res.body.secret).toBe('[redacted]');
    expect(res.body.behaviour).toMatchObject({ status: 202, failRate: 0 });
    expect(new Date(res.body.expiresAt).getTime() - now).toBe(7 * 86400_000);
    for (const path of [`/v1/bins/${res.body.id}`, '/v1/bins']) expect((await h.request('GET', path)).text).not.toContain(SECRET);
    expect((await h.request('DELETE', `/v1/bins/${res.body.id}`)).status).toBe(204);
  });

  it('captures any method, subpath and content type byte for byte, answers with the behaviour, checks signatures', async () => {
    const bin = (await h.request('POST', '/v1/bins', { body: { status: 503, retryAfter: 7, secret: SECRET } })).body;
    const raw = Buffer.from([0xff, 0x00, 0x41, 0xfe]);
    const put = await h.request('PUT', `/bin/${bin.id}/deep/path?x=1&y=%00`, { key: null, rawBody: raw, headers: { 'content-type': 'application/x-custom;;;bad' } });
    expect(put.status).toBe(503);
    expect(put.headers['retry-after']).toBe('7');
    const json = '{"type":"chat.started","data":{"n":1}}';
    const ts = Math.floor(now / 1000);
    const signed = await h.request('POST', `/bin/${bin.id}`, {
      key: null,
      rawBody: json,
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([SECRET], 'msg_1', ts, json) },
    });
    expect(signed.status).toBe(503);
    const forged = await h.request('POST', `/bin/${bin.id}`, { key: null, rawBody: json, headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,AAAA' } });
    expect(forged.status).toBe(503);

    const list = await h.request('GET', `/v1/bins/${bin.id}/requests?limit=2`);
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.data[0]).toMatchObject({ method: 'POST', path: '/', signature: { ok: false, code: 'signature_invalid' } });
    expect(list.body.data[1]).toMatchObject({ method: 'POST', bodyEncoding: 'utf8', body: json, signature: { ok: true } });
    const rest = await h.request('GET', `/v1/bins/${bin.id}/requests?limit=2&cursor=${encodeURIComponent(list.body.nextCursor)}`);
    const first = rest.body.data[0];
    expect(first).toMatchObject({ method: 'PUT', path: '/deep/path?x=1&y=%00', bodyEncoding: 'base64', size: 4, truncated: false });
    expect(Buffer.from(first.body, 'base64').equals(raw)).toBe(true);
    expect(first.headers['content-type']).toBe('application/x-custom;;;bad');
    expect((await h.request('GET', `/v1/bins/${bin.id}/requests/${first.id}`)).body).toEqual(first);
    expect((await h.request('GET', `/v1/bins/${bin.id}/requests/brq_00000000000000000000000000000000`)).body.code).toBe('not_found');

    // The cap of 3 requests per bin: a fourth prunes the oldest.
    await h.request('DELETE', `/bin/${bin.id}`, { key: null });
    const kept = (await h.request('GET', `/v1/bins/${bin.id}/requests`)).body.data;
    expect(kept.map((r: { method: string }) => r.method)).toEqual(['DELETE', 'POST', 'POST']);
    await h.request('DELETE', `/v1/bins/${bin.id}`);
  });

  it('keeps an oversized body truncated and answers 413; fail-first and 410 follow the mock behaviour', async () => {
    const bin = (await h.request('POST', '/v1/bins', { body: { failFirst: 1, failStatus: 502, goneAfter: 2, responseBody: 'thanks' } })).body;
    const big = await h.request('POST', `/bin/${bin.id}`, { key: null, rawBody: Buffer.alloc(5000, 0x61) });
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/problem\+json/);
    expect(big.body.code).toBe('payload_too_large');
    const [stored] = (await h.request('GET', `/v1/bins/${bin.id}/requests`)).body.data;
    expect(stored).toMatchObject({ truncated: true, size: 5000 });
    expect(stored.body).toHaveLength(2048);
    const second = await h.request('GET', `/bin/${bin.id}/x`, { key: null });
    expect(second.status).toBe(200);
    expect(second.text).toBe('thanks');
    expect((await h.request('GET', `/bin/${bin.id}`, { key: null })).status).toBe(410);
    await h.request('DELETE', `/v1/bins/${bin.id}`);
  });

  it('an unknown or expired bin is refused and stores nothing; expired bins are pruned', async () => {
    expect((await h.request('POST', '/bin/bin_00000000000000000000000000000000', { key: null, rawBody: 'x' })).status).toBe(404);
    expect((await h.request('POST', '/bin/not-an-id/..%2f..%2fv1', { key: null, rawBody: 'x' })).status).toBe(404);
    const bin = (await h.request('POST', '/v1/bins', { body: { expiresInSeconds: 60 } })).body;
    now += 61_000;
    const late = await h.request('POST', `/bin/${bin.id}`, { key: null, rawBody: 'x' });
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('bin_expired');
    expect((await h.request('GET', `/v1/bins/${bin.id}/requests`)).body.data).toEqual([]);
    expect(await h.runtime.store.pruneBins(now, 100)).toBeGreaterThanOrEqual(1);
    expect((await h.request('GET', `/v1/bins/${bin.id}`)).status).toBe(404);
  });

  it('isolates tenants and caps bins per tenant', async () => {
    const acme = await tenantKey('acme');
    const other = await tenantKey('other');
    const a = await h.request('POST', '/v1/bins', { key: acme, body: { name: 'a1' } });
    expect(a.body.tenant).toBe('acme');
    await h.request('POST', '/v1/bins', { key: acme, body: { name: 'a2' } });
    const third = await h.request('POST', '/v1/bins', { key: acme, body: { name: 'a3' } });
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('bin_limit_reached');
    for (const [method, path] of [['GET', `/v1/bins/${a.body.id}`], ['PATCH', `/v1/bins/${a.body.id}`], ['DELETE', `/v1/bins/${a.body.id}`], ['GET', `/v1/bins/${a.body.id}/requests`]] as const) {
      const res = await h.request(method, path, { key: other, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await h.request('GET', '/v1/bins', { key: other })).body.data).toEqual([]);
    expect((await h.request('GET', '/v1/bins', { key: acme })).body.data).toHaveLength(2);
    const renamed = await h.request('PATCH', `/v1/bins/${a.body.id}`, { key: acme, body: { name: 'renamed', latency: '0..5', secret: null } });
    expect(renamed.body).toMatchObject({ name: 'renamed', behaviour: { latency: { min: 0, max: 5 } }, secret: null });
  });

  it('replays a capture to a URL through the delivery sender, headers and raw body as captured', async () => {
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('got it');
    });
    try {
      const bin = (await h.request('POST', '/v1/bins', { body: {} })).body;
      const raw = Buffer.from([1, 2, 0xff]);
      await h.request('PUT', `/bin/${bin.id}/p`, { key: null, rawBody: raw, headers: { 'content-type': 'application/octet-stream', 'webhook-id': 'msg_9', 'x-custom': 'v' } });
      const [captured] = (await h.request('GET', `/v1/bins/${bin.id}/requests`)).body.data;
      const res = await h.request('POST', `/v1/bins/${bin.id}/requests/${captured.id}/replay`, { body: { url: receiver.url } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ url: receiver.url, status: 201, body: 'got it', errorCode: null });
      const got = receiver.requests[0]!;
      expect(got.method).toBe('POST');
      expect(got.headers['webhook-id']).toBe('msg_9');
      expect(got.headers['x-custom']).toBe('v');
      expect(got.headers['content-type']).toBe('application/octet-stream');
      expect(Buffer.from(got.body).equals(raw)).toBe(true);
      const blocked = await h.request('POST', `/v1/bins/${bin.id}/requests/${captured.id}/replay`, { body: { url: 'http://169.254.169.254/latest' } });
      expect(blocked.status).toBe(422);
      expect(blocked.body.code).toBe('blocked_address');
      const cases: Array<[unknown, string]> = [[{}, 'validation_failed'], [{ url: 5 }, 'validation_failed'], [{ url: receiver.url, extra: 1 }, 'validation_failed'], [{ url: 'not a url' }, 'invalid_url']];
      for (const [body, code] of cases) {
        const bad = await h.request('POST', `/v1/bins/${bin.id}/requests/${captured.id}/replay`, { body });
        expect(bad.body.code, JSON.stringify(body)).toBe(code);
        expect(bad.headers['content-type']).toMatch(/problem\+json/);
      }
      const missing = await h.request('POST', `/v1/bins/${bin.id}/requests/brq_00000000000000000000000000000000/replay`, { body: { url: receiver.url } });
      expect(missing.status).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  it('refuses bad input with precise problems', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/v1/bins', { status: '200' }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { status: 99 }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { failRate: 2 }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { latency: '5..1' }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { latency: '1;DROP' }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { secret: 'not-a-secret' }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { expiresInSeconds: 1 }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { unknown: true }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { name: 'a\u0000b' }, 400, 'validation_failed'],
      ['POST', '/v1/bins', { responseBody: 'x'.repeat(70_000) }, 400, 'validation_failed'],
      ['PATCH', '/v1/bins/bin_00000000000000000000000000000000', {}, 400, 'validation_failed'],
      ['PATCH', '/v1/bins/bin_00000000000000000000000000000000', { name: 'x' }, 404, 'not_found'],
      ['GET', '/v1/bins?limit=0', undefined, 400, 'validation_failed'],
      ['GET', '/v1/bins/bin_x/requests?cursor=%%%', undefined, 404, 'not_found'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const res = await h.request(method, url, body === undefined ? {} : { body });
      expect(res.status, `${method} ${url} ${JSON.stringify(body)?.slice(0, 60)}`).toBe(status);
      expect(res.body.code, `${method} ${url}`).toBe(code);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    const malformed = await h.request('POST', '/v1/bins', { rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.body.code).toBe('invalid_json');
    const huge = await h.request('POST', '/v1/bins', { rawBody: `{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
    expect(huge.status).toBe(413);
    const noKey = await h.request('GET', '/v1/bins', { key: null });
    expect(noKey.status).toBe(401);
    const badKey = await h.request('POST', '/v1/bins', { key: 'hk_wrong', body: {} });
    expect(badKey.status).toBe(401);
  });
});
