// Portal capabilities are checked on the server, route by route. Walks every /v1 route of
// /openapi.json with portal tokens of each capability: a route in the table answers a token without
// its capability 403 (and a token with it gets past the check); a route not in the table is refused
// for every portal token (fail closed); an endpoint change that sets a filter or transform also needs
// manage_transforms. Plus: readOnly is `view` alone, old tokens without capabilities keep everything,
// and the capabilities cannot be widened in the URL.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { PORTAL_CAPABILITIES, type PortalCapability } from '../src/core/portal-capabilities.js';
import { PORTAL_ROUTE_TABLE } from '../src/api/portal-route-table.js';
import { PortalCapabilityModel } from '../src/wire/index.js';

let h: Harness;
let endpointId: string;
const tokens = new Map<string, string>();

async function sessionOf(linkToken: string): Promise<string> {
  const session = await h.request('POST', '/v1/portal/session', { key: `portal_${linkToken}` });
  expect(session.status).toBe(201);
  return `portal_${session.body.token as string}`;
}

async function portalKey(capabilities: PortalCapability[] | undefined, readOnly?: boolean): Promise<string> {
  const body: Record<string, unknown> = { tenant: 'acme', ttlSeconds: 600 };
  if (capabilities) body.capabilities = capabilities;
  if (readOnly !== undefined) body.readOnly = readOnly;
  const res = await h.request('POST', '/v1/portal-links', { body });
  expect(res.status).toBe(201);
  // The session the link is exchanged for is what calls the API.
  return sessionOf(res.body.token as string);
}

/** A portal-check refusal (a handler's own 403, e.g. "needs an admin key", does not say "portal link"). */
function refusedByPortal(res: { status: number; body: any }): boolean {
  return res.status === 403 && typeof res.body?.detail === 'string' && /portal link/.test(res.body.detail);
}

beforeAll(async () => {
  h = await createHarness({});
  const ep = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/acme', tenant: 'acme' } });
  expect(ep.status).toBe(201);
  endpointId = ep.body.id;
  for (const cap of PORTAL_CAPABILITIES) tokens.set(cap, await portalKey([cap]));
  tokens.set('all', await portalKey(undefined));
});
afterAll(async () => h?.close());

interface Route {
  method: string;
  template: string;
  /** The Fastify pattern the table is keyed by. */
  pattern: string;
  path: string;
}

async function routes(): Promise<Route[]> {
  const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const out: Route[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    if (!template.startsWith('/v1/')) continue;
    const pattern = template.replace(/\{([^}]+)\}/g, ':$1');
    const path = template.replace(/\{[^}]+\}/g, (m) => (m === '{name}' ? 'chat.started' : m === '{id}' ? endpointId : 'x_0000000000000000000000'));
    for (const method of Object.keys(ops)) out.push({ method: method.toUpperCase(), template, pattern, path });
  }
  return out;
}

describe('portal capabilities, route by route', () => {
  it('the capability lists of core and the wire model agree', () => {
    expect([...(PortalCapabilityModel as unknown as { enum: string[] }).enum]).toEqual([...PORTAL_CAPABILITIES]);
  });

  it('every table entry names a documented route (no stale entries)', async () => {
    const all = new Set((await routes()).map((r) => `${r.method} ${r.pattern}`));
    expect(Object.keys(PORTAL_ROUTE_TABLE).filter((k) => !all.has(k))).toEqual([]);
  });

  it('each route needs its capability; unlisted routes are refused for every portal token', async () => {
    const walked = await routes();
    expect(walked.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let checked = 0;
    for (const r of walked) {
      const key = `${r.method} ${r.pattern}`;
      const listed = Object.hasOwn(PORTAL_ROUTE_TABLE, key);
      const needed = PORTAL_ROUTE_TABLE[key];
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
      for (const [holder, token] of tokens) {
        const grants = holder === 'all' ? [...PORTAL_CAPABILITIES] : ['view', holder];
        const allowed = listed && (needed === null || grants.includes(needed as string));
        // An allowed event stream would never end over inject: its refusals are what matters here,
        // and `view` (which it needs) is in every token.
        if (allowed && r.template === '/v1/stream') continue;
        const res = await h.request(r.method, r.path, { key: token, ...(body !== undefined ? { body } : {}) });
        checked++;
        if (res.status >= 500) failures.push(`${key} with ${holder}: ${res.status}`);
        if (allowed && refusedByPortal(res)) failures.push(`${key} with ${holder}: refused but should pass (${res.body.detail})`);
        if (!allowed && !refusedByPortal(res)) failures.push(`${key} with ${holder}: ${res.status} but should be refused`);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(failures).toEqual([]);
  });

  it('routes outside the table, e.g. API keys and publishing, are refused even with every capability', async () => {
    const all = tokens.get('all')!;
    for (const [method, url, body] of [
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', { name: 'x' }],
      ['POST', '/v1/events', { type: 'chat.started', data: {} }],
      ['POST', '/v1/portal-links', { tenant: 'acme' }],
    ] as const) {
      const res = await h.request(method, url, { key: all, ...(body ? { body } : {}) });
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('cannot call this route');
    }
  });

  it('setting a filter or transform on an endpoint also needs manage_transforms', async () => {
    // The walk above may have deleted the shared endpoint: use a fresh one.
    const endpointId = (await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/acme2', tenant: 'acme' } })).body.id as string;
    const endpoints = tokens.get('manage_endpoints')!;
    const refused = await h.request('PATCH', `/v1/endpoints/${endpointId}`, { key: endpoints, body: { transform: { preset: 'slack' } } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('manage_transforms');
    expect((await h.request('PATCH', `/v1/endpoints/${endpointId}`, { key: endpoints, body: { filter: null } })).status).toBe(403);
    expect((await h.request('PATCH', `/v1/endpoints/${endpointId}`, { key: endpoints, body: { description: 'changed' } })).status).toBe(200);
    const both = await portalKey(['manage_endpoints', 'manage_transforms']);
    expect((await h.request('PATCH', `/v1/endpoints/${endpointId}`, { key: both, body: { transform: null } })).status).toBe(200);
    // manage_transforms alone cannot change the endpoint at all.
    expect((await h.request('PATCH', `/v1/endpoints/${endpointId}`, { key: tokens.get('manage_transforms')!, body: { transform: null } })).status).toBe(403);
  });

  it('a secret needs view_secret to read and manage_secret to rotate', async () => {
    const endpointId = (await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/acme3', tenant: 'acme' } })).body.id as string;
    expect((await h.request('GET', `/v1/endpoints/${endpointId}/secret`, { key: tokens.get('view')! })).status).toBe(403);
    expect((await h.request('GET', `/v1/endpoints/${endpointId}/secret`, { key: tokens.get('view_secret')! })).status).toBe(200);
    expect((await h.request('POST', `/v1/endpoints/${endpointId}/rotate-secret`, { key: tokens.get('view_secret')!, body: {} })).status).toBe(403);
    expect((await h.request('POST', `/v1/endpoints/${endpointId}/rotate-secret`, { key: tokens.get('manage_secret')!, body: {} })).status).toBe(200);
  });
});

describe('portal capabilities: the link and whoami', () => {
  it('readOnly is view alone; whoami and the link say what is granted', async () => {
    const res = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', readOnly: true } });
    expect(res.body).toMatchObject({ readOnly: true, capabilities: ['view'] });
    const who = await h.request('GET', '/v1/meta/whoami', { key: await sessionOf(res.body.token as string) });
    expect(who.body.portalOptions).toMatchObject({ readOnly: true, capabilities: ['view'] });
    const some = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', capabilities: ['replay'] } });
    expect(some.body).toMatchObject({ readOnly: false, capabilities: ['view', 'replay'] });
    const none = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme' } });
    expect(none.body.capabilities).toEqual([...PORTAL_CAPABILITIES]);
    expect((await h.request('GET', '/v1/meta/whoami', { key: await sessionOf(none.body.token as string) })).body.portalOptions.capabilities).toEqual([...PORTAL_CAPABILITIES]);
  });

  it('bad capability requests are precise 400s', async () => {
    for (const body of [
      { tenant: 'acme', capabilities: ['admin'] },
      { tenant: 'acme', capabilities: 'view' },
      { tenant: 'acme', capabilities: ['view', 'view'] },
      { tenant: 'acme', readOnly: true, capabilities: ['replay'] },
    ]) {
      const res = await h.request('POST', '/v1/portal-links', { body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    expect((await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', readOnly: true, capabilities: ['view'] } })).status).toBe(201);
  });

  it('capabilities cannot be widened: a changed payload fails its signature', async () => {
    const token = (await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', capabilities: ['replay'] } })).body.token as string;
    const [v, payload, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    delete claims.c;
    const forged = `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    expect((await h.request('GET', '/v1/meta/whoami', { key: `portal_${forged}` })).status).toBe(401);
  });
});
