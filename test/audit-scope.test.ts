// The audit scope is switched on only while an audited request is in flight (core/audit.ts says
// why). Through the API, on both stores: concurrent audited requests mixed with publishes each
// write their own record, a refused one writes none, and when they are done the scope is off again;
// a client that hangs up after sending a change still gets the change recorded if it commits.

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditScopes, runAuditScope, setPendingAudit, takePendingAudit } from '../src/core/audit.js';
import { createSigningKeyService } from '../src/delivery/signing-key-service.js';
import { makeAuditRecord } from '../src/store/conformance/fixtures.js';
import { ADMIN_KEY, createHarness, type Harness } from './helpers/harness.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';

describe.each(['sqlite', 'postgres'] as const)('audit scope through the API (%s)', (store) => {
  let h: Harness;
  let schema: string | null = null;

  beforeAll(async () => {
    if (store === 'postgres') {
      schema = freshSchema('hookd_audit_scope');
      h = await createHarness({ env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } });
    } else h = await createHarness();
    expect(h.runtime.store.dialect).toBe(store);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropSchema(schema);
  });

  const records = async (action: string) => {
    const res = await h.request('GET', `/v1/audit?action=${action}&limit=100`);
    expect(res.status).toBe(200);
    return res.body.data as Array<{ target: string | null; diff: { body: { description?: string } | null } }>;
  };

  it('concurrent audited requests beside publishes: one record each, its own; the scope off afterwards', async () => {
    const creates = Array.from({ length: 12 }, (_, i) => h.request('POST', '/v1/endpoints', { body: { url: `http://127.0.0.1:9/scope-${i}`, description: `scope ${i}` } }));
    const publishes = Array.from({ length: 12 }, (_, i) => h.request('POST', '/v1/events', { body: { type: 'scope.test', data: { i } } }));
    const created = await Promise.all(creates);
    for (const res of await Promise.all(publishes)) expect(res.status).toBe(202);
    expect(openAuditScopes()).toBe(0);
    for (const res of created) expect(res.status).toBe(201);
    // A create's record names what was asked (its body): each description once, none crossed or lost.
    const described = (await records('endpoint.create')).map((r) => r.diff.body?.description).filter((d) => d?.startsWith('scope '));
    expect(described.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `scope ${i}`).sort());
  });

  it('a refused audited request writes nothing and releases the scope; the next one is recorded', async () => {
    const before = (await records('endpoint.update')).length;
    expect((await h.request('PATCH', '/v1/endpoints/ep_missing', { body: { description: 'x' } })).status).toBe(404);
    expect(openAuditScopes()).toBe(0);
    expect(await records('endpoint.update')).toHaveLength(before);
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/after', description: 'after' } });
    expect(ep.status).toBe(201);
    expect((await records('endpoint.create')).filter((r) => r.diff.body?.description === 'after')).toHaveLength(1);
    expect(openAuditScopes()).toBe(0);
  });

  it("work a request shares with others is not its change: a publish batch or a tenant's first signing keys leave the request's record pending", async () => {
    // A publish queued from inside an audited request runs in the batch of every caller's events; a
    // tenant's first key pair is made by whoever asks first and serves every later caller. Neither
    // may take the record of the request that happened to start it.
    const signingKeys = createSigningKeyService({ store: h.runtime.store, policy: { overlapMs: 60_000, publishLeadMs: 0, intervalMs: 0 } });
    const left = await runAuditScope(async () => {
      setPendingAudit(makeAuditRecord({ id: 'aud_shared_work' }));
      const published = await h.runtime.publisher.publish({ type: 'scope.shared', data: { n: 1 }, tenant: null, idempotencyKey: null });
      const keys = await signingKeys.ensure(`fresh-${store}`);
      return { event: published.event.id, keys: keys.length, pending: takePendingAudit()?.id };
    });
    expect(left.keys).toBeGreaterThan(0);
    expect(left.pending).toBe('aud_shared_work');
    expect((await h.request('GET', `/v1/events/${left.event}`)).status).toBe(200);
    expect(openAuditScopes()).toBe(0);
  });

  it('a client that hangs up after sending a change: if the change commits, so does its record', async () => {
    await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.runtime.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const description = `hung-up-${store}`;
    const body = JSON.stringify({ url: 'http://127.0.0.1:9/hung-up', description });
    const socket = connect(address.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.end(`POST /v1/endpoints HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.destroy();
    // Bounded wait for the handler to finish (or not start) and the scope to be released.
    for (let i = 0; i < 100 && openAuditScopes() > 0; i++) await sleep(20);
    await sleep(50);
    expect(openAuditScopes()).toBe(0);
    const list = await h.request('GET', '/v1/endpoints?limit=100');
    const made = (list.body.data as Array<{ id: string; description: string }>).filter((e) => e.description === description);
    const recorded = (await records('endpoint.create')).filter((r) => r.diff.body?.description === description);
    expect(recorded).toHaveLength(made.length);
  });
});
