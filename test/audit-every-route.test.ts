// Every mutating route (POST/PUT/PATCH/DELETE under /v1, taken from /openapi.json) leaves exactly one
// audit record when it succeeds, or is listed in NOT_AUDITED with its reason. A route added later
// without either fails here: add it to AUDITED_ROUTES (src/api/audit-routes.ts) and a recipe below.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_ROUTES, NOT_AUDITED, REVEAL_ROUTES } from '../src/api/audit-routes.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { postIngress } from './inbound-helpers.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';

let h: Harness;
let receiver: Receiver;
let routes: string[];
let schema: string | null = null;

async function open(store: 'sqlite' | 'postgres'): Promise<void> {
  if (store === 'postgres') {
    schema = freshSchema('hookd_audit');
    h = await createHarness({ env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } });
  } else h = await createHarness();
  receiver = await startReceiver();
  const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  routes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of Object.keys(ops)) {
      if (['post', 'put', 'patch', 'delete'].includes(method)) routes.push(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
  }
}

async function close(): Promise<void> {
  await h?.close();
  await receiver?.close();
  if (schema) await dropSchema(schema);
  schema = null;
}

interface State {
  binId?: string;
  endpointId?: string;
  failingEndpointId?: string;
  spareEndpointId?: string;
  deliveryId?: string;
  sourceId?: string;
  spareSourceId?: string;
  requestId?: string;
  bulkId?: string;
  keyId?: string;
  alertChannelId?: string;
  alertRuleId?: string;
}

/** `key`: another caller than the admin key (then `actor` is who the record must name). */
type Call = { method: string; url: string; body?: unknown; expect: number; key?: string; actor?: { kind: string } };

/** How to make each audited route succeed. Order matters: creates first, deletes last. */
const RECIPES: Record<string, (s: State) => Promise<Call> | Call> = {
  // Keys k1 and k2 of the failing endpoint block once their head has failed (onExhausted "block").
  'POST /v1/endpoints/:id/ordering/retry': async (s) => {
    await blocked(s, 'k1');
    return { method: 'POST', url: `/v1/endpoints/${s.failingEndpointId}/ordering/retry`, body: { key: 'k1' }, expect: 200 };
  },
  'POST /v1/endpoints/:id/ordering/skip': async (s) => {
    await blocked(s, 'k1');
    return { method: 'POST', url: `/v1/endpoints/${s.failingEndpointId}/ordering/skip`, body: { key: 'k1' }, expect: 200 };
  },
  'POST /v1/endpoints/:id/ordering/release': async (s) => {
    await blocked(s, 'k2');
    return { method: 'POST', url: `/v1/endpoints/${s.failingEndpointId}/ordering/release`, body: { key: 'k2' }, expect: 200 };
  },
  'POST /v1/endpoints': () => ({ method: 'POST', url: '/v1/endpoints', body: { url: receiver.url, tenant: 'acme', headers: { 'x-api-key': 'top-secret' } }, expect: 201 }),
  'PATCH /v1/endpoints/:id': (s) => ({ method: 'PATCH', url: `/v1/endpoints/${s.endpointId}`, body: { description: 'crm' }, expect: 200 }),
  'POST /v1/endpoints/:id/rotate-secret': (s) => ({ method: 'POST', url: `/v1/endpoints/${s.endpointId}/rotate-secret`, body: {}, expect: 200 }),
  'POST /v1/endpoints/:id/recover': (s) => ({ method: 'POST', url: `/v1/endpoints/${s.failingEndpointId}/recover`, body: { since: new Date(Date.now() - 3_600_000).toISOString() }, expect: 200 }),
  'POST /v1/deliveries/:id/retry': async (s) => {
    // The recover just before re-sent it: wait until that attempt has failed again.
    await eventually(async () => (await h.request('GET', `/v1/deliveries/${s.deliveryId}`)).body.status === 'failed');
    return { method: 'POST', url: `/v1/deliveries/${s.deliveryId}/retry`, expect: 202 };
  },
  'POST /v1/bulk-retries': () => ({ method: 'POST', url: '/v1/bulk-retries', body: { filter: { status: 'failed' } }, expect: 202 }),
  'POST /v1/bulk-retries/:id/cancel': (s) => ({ method: 'POST', url: `/v1/bulk-retries/${s.bulkId}/cancel`, expect: 200 }),
  'DELETE /v1/bulk-retries/:id': (s) => ({ method: 'DELETE', url: `/v1/bulk-retries/${s.bulkId}`, expect: 200 }),
  'PUT /v1/event-types/:name': () => ({ method: 'PUT', url: '/v1/event-types/audit.test', body: { description: 'audited' }, expect: 200 }),
  'DELETE /v1/event-types/:name': () => ({ method: 'DELETE', url: '/v1/event-types/audit.test', expect: 204 }),
  'POST /v1/api-keys': () => ({ method: 'POST', url: '/v1/api-keys', body: { name: 'ops', tenant: 'acme' }, expect: 201 }),
  'DELETE /v1/api-keys/:id': (s) => ({ method: 'DELETE', url: `/v1/api-keys/${s.keyId}`, expect: 204 }),
  'POST /v1/signing-keys/rotate': () => ({ method: 'POST', url: '/v1/signing-keys/rotate', body: { tenant: 'acme' }, expect: 201 }),
  'POST /v1/bins': () => ({ method: 'POST', url: '/v1/bins', body: { name: 'audit', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, expect: 201 }),
  'PATCH /v1/bins/:id': (s) => ({ method: 'PATCH', url: `/v1/bins/${s.binId}`, body: { name: 'audit 2' }, expect: 200 }),
  'DELETE /v1/bins/:id': (s) => ({ method: 'DELETE', url: `/v1/bins/${s.binId}`, expect: 204 }),
  'POST /v1/sources': () => ({ method: 'POST', url: '/v1/sources', body: { name: 'audit', verify: { scheme: 'hmac', header: 'X-Sig', secret: 'shh-very-secret' } }, expect: 201 }),
  'PATCH /v1/sources/:id': (s) => ({ method: 'PATCH', url: `/v1/sources/${s.sourceId}`, body: { name: 'audit 2' }, expect: 200 }),
  'POST /v1/sources/:id/requests/:requestId/replay': (s) => ({ method: 'POST', url: `/v1/sources/${s.spareSourceId}/requests/${s.requestId}/replay`, expect: 202 }),
  'DELETE /v1/sources/:id': (s) => ({ method: 'DELETE', url: `/v1/sources/${s.sourceId}`, expect: 204 }),
  'POST /v1/alerts/channels': () => ({ method: 'POST', url: '/v1/alerts/channels', body: { name: 'audit', kind: 'webhook', url: receiver.url }, expect: 201 }),
  'PATCH /v1/alerts/channels/:id': (s) => ({ method: 'PATCH', url: `/v1/alerts/channels/${s.alertChannelId}`, body: { name: 'audit 2' }, expect: 200 }),
  'POST /v1/alerts/rules': (s) => ({ method: 'POST', url: '/v1/alerts/rules', body: { name: 'audit', kind: 'endpoint_disabled', channels: [s.alertChannelId] }, expect: 201 }),
  'PATCH /v1/alerts/rules/:id': (s) => ({ method: 'PATCH', url: `/v1/alerts/rules/${s.alertRuleId}`, body: { enabled: false }, expect: 200 }),
  'DELETE /v1/alerts/rules/:id': (s) => ({ method: 'DELETE', url: `/v1/alerts/rules/${s.alertRuleId}`, expect: 204 }),
  'DELETE /v1/alerts/channels/:id': (s) => ({ method: 'DELETE', url: `/v1/alerts/channels/${s.alertChannelId}`, expect: 204 }),
  'POST /v1/portal-links': () => ({ method: 'POST', url: '/v1/portal-links', body: { tenant: 'acme' }, expect: 201 }),
  'DELETE /v1/portal-links/:id': () => ({ method: 'DELETE', url: '/v1/portal-links/pl_0123456789abcdef0123456789abcdef', expect: 204 }),
  // The link is the caller: the record names the portal, not an API key.
  'POST /v1/portal/session': async () => {
    const link = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme' } });
    return { method: 'POST', url: '/v1/portal/session', key: `portal_${link.body.token as string}`, expect: 201, actor: { kind: 'portal' } };
  },
  'DELETE /v1/endpoints/:id': (s) => ({ method: 'DELETE', url: `/v1/endpoints/${s.spareEndpointId}`, expect: 204 }),
};

async function blocked(s: State, key: string): Promise<void> {
  await eventually(async () => ((await h.request('GET', `/v1/endpoints/${s.failingEndpointId}/ordering/blocked`)).body.data as Array<{ key: string }>).some((k) => k.key === key));
}

async function auditCount(): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await h.request('GET', `/v1/audit?limit=250${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    n += page.body.data.length;
    cursor = page.body.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return n;
}

describe.each(['sqlite', 'postgres'] as const)('the audit log covers every mutating route (%s)', (store) => {
  beforeAll(() => open(store), 30_000);
  afterAll(() => close());

  it('runs on the store it names', () => {
    expect(h.runtime.store.dialect).toBe(store);
  });
  it('lists every mutating route as audited or not audited, and each audited one has a recipe', () => {
    const unlisted = routes.filter((r) => AUDITED_ROUTES[r] === undefined && NOT_AUDITED[r] === undefined);
    expect(unlisted, 'mutating routes neither audited nor exempt').toEqual([]);
    const withoutRecipe = routes.filter((r) => AUDITED_ROUTES[r] !== undefined && RECIPES[r] === undefined);
    expect(withoutRecipe, 'audited routes this test cannot call').toEqual([]);
    expect(Object.keys(AUDITED_ROUTES).filter((r) => !routes.includes(r)), 'audited routes that do not exist').toEqual([]);
  });

  it('each audited route, called successfully, leaves exactly one record with actor, request id and redacted diff', async () => {
    const s: State = {};
    // What the recipes act on, made before counting (these make records of their own).
    s.spareEndpointId = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['never'] } })).body.id;
    const source = await h.request('POST', '/v1/sources', { body: { name: 'replayable', verify: { scheme: 'none' }, eventType: 'audit.replay' } });
    s.spareSourceId = source.body.id;
    const ingress = await postIngress(h, s.spareSourceId!, '{"n":1}');
    s.requestId = ingress.body.id;
    s.failingEndpointId = (await h.request('POST', '/v1/endpoints', { body: { url: "http://127.0.0.1:9/refused", eventTypes: ['audit.fail'], retrySchedule: [0] } })).body.id as string;
    const evt = await h.request('POST', '/v1/events', { body: { type: 'audit.fail', data: { n: 1 } } });
    await eventually(async () => (await h.request('GET', `/v1/events/${evt.body.id}/deliveries`)).body.data[0]?.status === 'failed');
    s.deliveryId = (await h.request('GET', `/v1/events/${evt.body.id}/deliveries`)).body.data[0].id;
    for (const orderingKey of ['k1', 'k2']) await h.request('POST', '/v1/events', { body: { type: 'audit.fail', data: { n: 2 }, orderingKey } });

    for (const route of routes.filter((r) => AUDITED_ROUTES[r] !== undefined).sort((a, b) => Object.keys(RECIPES).indexOf(a) - Object.keys(RECIPES).indexOf(b))) {
      const call = await RECIPES[route]!(s);
      const before = await auditCount();
      const res = await h.request(call.method, call.url, { ...(call.body === undefined ? {} : { body: call.body }), ...(call.key ? { key: call.key } : {}) });
      expect(res.status >= 200 && res.status < 300, `${route}: ${res.status} ${res.text}`).toBe(true);
      if (route === 'POST /v1/endpoints') s.endpointId = res.body.id;
      if (route === 'POST /v1/sources') s.sourceId = res.body.id;
      if (route === 'POST /v1/bins') s.binId = res.body.id;
      if (route === 'POST /v1/bulk-retries') s.bulkId = res.body.id;
      if (route === 'POST /v1/api-keys') s.keyId = res.body.id;
      if (route === 'POST /v1/alerts/channels') s.alertChannelId = res.body.id;
      if (route === 'POST /v1/alerts/rules') s.alertRuleId = res.body.id;
      expect(await auditCount(), `${route} leaves exactly one audit record`).toBe(before + 1);
      const latest = (await h.request('GET', '/v1/audit?limit=1')).body.data[0];
      expect(latest, route).toMatchObject({ action: AUDITED_ROUTES[route], actor: call.actor ?? { kind: 'admin_key', id: 'key_env_admin' }, requestId: res.headers['x-request-id'] });
      const text = JSON.stringify(latest.diff);
      for (const secret of ['top-secret', 'shh-very-secret', 'whsec_']) expect(text, route).not.toContain(secret);
    }
  }, 60_000);

  it('each route that reveals a secret is listed, and a reveal leaves exactly one record without the secret', async () => {
    // Every GET that hands out a secret: by its path, so a new one must be listed or this fails.
    const doc = (await h.request('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const reveals = Object.entries(doc.paths)
      .filter(([path, ops]) => path.startsWith('/v1/') && 'get' in ops && /secret/i.test(path))
      .map(([path]) => `GET ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    expect(reveals.sort()).toEqual(Object.keys(REVEAL_ROUTES).sort());
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', eventTypes: ['never'] } });
    const tenantKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme-ops', tenant: 'acme' } })).body.key as string;
    for (const [key, actor] of [[undefined, { kind: 'admin_key' }], [tenantKey, { kind: 'api_key', name: 'acme-ops' }]] as const) {
      const before = await auditCount();
      const res = await h.request('GET', `/v1/endpoints/${ep.body.id}/secret`, key ? { key } : {});
      expect(res.status).toBe(200);
      expect(res.body.secret).toMatch(/^whsec_/);
      expect(await auditCount()).toBe(before + 1);
      const latest = (await h.request('GET', '/v1/audit?limit=1')).body.data[0];
      expect(latest).toMatchObject({ action: 'endpoint.secret_reveal', target: ep.body.id, actor, requestId: res.headers['x-request-id'] });
      expect(JSON.stringify(latest)).not.toContain(res.body.secret.slice(6));
      expect(JSON.stringify(latest)).not.toContain('whsec_');
    }
    // A refused reveal (another tenant's endpoint, an unknown one) reveals nothing and records nothing.
    const other = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'globex', eventTypes: ['never'] } });
    const before = await auditCount();
    expect((await h.request('GET', `/v1/endpoints/${other.body.id}/secret`, { key: tenantKey })).status).toBe(404);
    expect((await h.request('GET', '/v1/endpoints/ep_00000000000000000000000000000000/secret')).status).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('a refused request (404, 400) leaves no record', async () => {
    const before = await auditCount();
    expect((await h.request('PATCH', '/v1/endpoints/ep_00000000000000000000000000000000', { body: { description: 'x' } })).status).toBe(404);
    expect((await h.request("POST", "/v1/endpoints", { body: { url: "not a url" } })).status).toBeGreaterThanOrEqual(400);
    expect((await h.request('DELETE', '/v1/event-types/never.existed')).status).toBe(404);
    expect(await auditCount()).toBe(before);
  });
});
