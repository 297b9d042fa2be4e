// Revoking a portal link: DELETE /v1/portal-links/{id} (admin) makes its token 401 at once, and an
// open event stream of that link closes at once (not at the token's expiry). Other links keep working.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await createHarness({});
  await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.runtime.app.server.address() as AddressInfo).port;
});
afterAll(async () => h?.close());

async function link(): Promise<{ id: string; key: string }> {
  const res = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', ttlSeconds: 600 } });
  expect(res.status).toBe(201);
  expect(res.body.id).toMatch(/^pl_[0-9a-f]{32}$/);
  // The link's session is what calls the API; revoking the link ends it.
  const session = await h.request('POST', '/v1/portal/session', { key: `portal_${res.body.token as string}` });
  expect(session.status).toBe(201);
  expect(session.body.linkId).toBe(res.body.id);
  return { id: res.body.id, key: `portal_${session.body.token as string}` };
}

describe('revoking a portal link', () => {
  it('refuses the revoked link at once and leaves others working; the revocation is idempotent', async () => {
    const a = await link();
    const b = await link();
    expect((await h.request('GET', '/v1/meta/whoami', { key: a.key })).status).toBe(200);
    expect((await h.request('DELETE', `/v1/portal-links/${a.id}`)).status).toBe(204);
    const refused = await h.request('GET', '/v1/meta/whoami', { key: a.key });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toContain('revoked');
    expect((await h.request('GET', '/v1/meta/whoami', { key: b.key })).status).toBe(200);
    expect((await h.request('DELETE', `/v1/portal-links/${a.id}`)).status).toBe(204);
  });

  it('is admin only, and a malformed id is a 400', async () => {
    const a = await link();
    expect((await h.request('DELETE', `/v1/portal-links/${a.id}`, { key: a.key })).status).toBe(403);
    const tenantKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key as string;
    expect((await h.request('DELETE', `/v1/portal-links/${a.id}`, { key: tenantKey })).status).toBe(403);
    const bad = await h.request('DELETE', '/v1/portal-links/not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect((await h.request('GET', '/v1/meta/whoami', { key: a.key })).status).toBe(200);
  });

  it("closes the link's open event stream at once", async () => {
    const a = await link();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/stream', agent: false, headers: { authorization: `Bearer ${a.key}`, accept: 'text/event-stream' } }, resolve);
      req.setTimeout(10_000, () => req.destroy(new Error('no answer')));
      req.on('error', reject);
      req.end();
    });
    expect(res.statusCode).toBe(200);
    res.resume();
    const ended = new Promise<number>((resolve) => {
      res.on('close', () => resolve(Date.now()));
    });
    const start = Date.now();
    expect((await h.request('DELETE', `/v1/portal-links/${a.id}`)).status).toBe(204);
    const closedAt = await Promise.race([ended, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
    expect(closedAt).toBeGreaterThan(0);
    expect(closedAt - start).toBeLessThan(3_000);
  });
});
