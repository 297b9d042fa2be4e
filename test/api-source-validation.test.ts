// POST /v1/sources with a bad `verify`: the errors are those of the scheme the request names, once
// each, never the union of every scheme's (the dashboard shows them next to the field).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({});
});
afterAll(async () => h?.close());

const create = (verify: unknown) => h.request('POST', '/v1/sources', { body: { name: 'partner', verify } });

describe('source verify validation', () => {
  it('an HMAC source without its header: one error, on the header', async () => {
    const res = await create({ scheme: 'hmac', secret: 'a-secret' });
    expect(res.status).toBe(400);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([{ path: '/body/verify/header', message: 'is required' }]);
  });

  it("a wrong field of one scheme is reported against that scheme only", async () => {
    const res = await create({ scheme: 'bearer', token: 'has space', header: 'x' });
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['/body/verify/header', '/body/verify/token']);
    expect(res.body.detail).not.toMatch(/constant|oneOf/);
  });

  it('an unknown, missing or non-string scheme is one error on the scheme', async () => {
    for (const [verify, message] of [
      [{ scheme: 'md5' }, '"md5" is not a known value'],
      [{ secret: 'x' }, 'is required (a string)'],
      [{ scheme: 7 }, 'is required (a string)'],
    ] as const) {
      const res = await create(verify);
      expect(res.status, JSON.stringify(verify)).toBe(400);
      expect(res.body.errors).toEqual([{ path: '/body/verify/scheme', message }]);
    }
  });

  it('a valid source of each shape is still accepted', async () => {
    expect((await create({ scheme: 'hmac', header: 'x-signature' })).status).toBe(201);
    expect((await create({ scheme: 'none' })).status).toBe(201);
    expect((await h.request('PATCH', '/v1/sources/src_missing', { body: { verify: { scheme: 'hmac' } } })).body.errors).toEqual([{ path: '/body/verify/header', message: 'is required' }]);
  });

  it('the OpenAPI document still builds and names the tag', async () => {
    const doc = await h.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.text).toContain('"propertyName":"scheme"');
  });

  it('malformed JSON and a missing key are problems, not 500s', async () => {
    const bad = await h.request('POST', '/v1/sources', { rawBody: '{"name": "x", "verify": {', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_json');
    expect((await h.request('POST', '/v1/sources', { body: { name: 'x', verify: { scheme: 'none' } }, key: null })).status).toBe(401);
  });
});
