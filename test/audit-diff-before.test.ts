// An update's audit record says what each changed field was and became (`diff.changes`), not only
// what was asked, with secrets redacted on both sides; a field set to its current value is left out.
// On both stores: PATCH endpoint, PATCH source, PUT event type (a replace).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';

describe.each(['sqlite', 'postgres'] as const)('audit diffs hold before and after (%s)', (store) => {
  let h: Harness;
  let schema: string | null = null;

  beforeAll(async () => {
    if (store === 'postgres') {
      schema = freshSchema('hookd_audit_before');
      h = await createHarness({ env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } });
    } else h = await createHarness();
    expect(h.runtime.store.dialect).toBe(store);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    if (schema) await dropSchema(schema);
  });

  const latest = async (action: string) => {
    const res = await h.request('GET', `/v1/audit?action=${action}&limit=1`);
    expect(res.status).toBe(200);
    return res.body.data[0] as { action: string; target: string; diff: { body: unknown; changes: Record<string, { before: unknown; after: unknown }> } };
  };

  it('PATCH endpoint: each changed field before and after; unchanged fields left out; credentials redacted', async () => {
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/a', description: 'old', timeoutMs: 5000, auth: { type: 'bearer', token: 'tok-before-1234' } } });
    expect(ep.status).toBe(201);
    const res = await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { description: 'new', url: 'http://127.0.0.1:9/b', timeoutMs: 5000, enabled: false, auth: { type: 'bearer', token: 'tok-after-5678' } } });
    expect(res.status).toBe(200);
    const record = await latest('endpoint.update');
    expect(record.target).toBe(ep.body.id);
    expect(record.diff.changes.description).toEqual({ before: 'old', after: 'new' });
    expect(record.diff.changes.url).toEqual({ before: 'http://127.0.0.1:9/a', after: 'http://127.0.0.1:9/b' });
    expect(record.diff.changes.enabled).toEqual({ before: true, after: false });
    expect(record.diff.changes).not.toHaveProperty('timeoutMs');
    expect(record.diff.changes).toHaveProperty('auth');
    const text = JSON.stringify(record);
    expect(text).not.toContain('tok-before-1234');
    expect(text).not.toContain('tok-after-5678');
  });

  it('PATCH source: before and after, the verification secret redacted', async () => {
    const src = await h.request('POST', '/v1/sources', { body: { name: 'crm', verify: { scheme: 'hmac', header: 'X-Sig', secret: 'first-secret-value' } } });
    expect(src.status).toBe(201);
    expect((await h.request('PATCH', `/v1/sources/${src.body.id}`, { body: { name: 'crm 2', verify: { scheme: 'hmac', header: 'X-Sig', secret: 'second-secret-value' } } })).status).toBe(200);
    const record = await latest('source.update');
    expect(record.diff.changes.name).toEqual({ before: 'crm', after: 'crm 2' });
    expect(record.diff.changes).toHaveProperty('verify');
    const text = JSON.stringify(record);
    expect(text).not.toContain('first-secret-value');
    expect(text).not.toContain('second-secret-value');
  });

  it('PUT event type over an existing one: the replaced values; a new one has no changes', async () => {
    expect((await h.request('PUT', '/v1/event-types/chat.started', { body: { description: 'v1', schema: { type: 'object' } } })).status).toBe(201);
    expect((await latest('event_type.put')).diff.changes).toBeUndefined();
    expect((await h.request('PUT', '/v1/event-types/chat.started', { body: { description: 'v2', schema: { type: 'object' } } })).status).toBe(200);
    const record = await latest('event_type.put');
    expect(record.diff.changes).toEqual({ description: { before: 'v1', after: 'v2' } });
  });

  it('a refused update (404) still leaves no record', async () => {
    const before = (await h.request('GET', '/v1/audit?action=endpoint.update&limit=100')).body.data.length;
    expect((await h.request('PATCH', '/v1/endpoints/ep_00000000000000000000000000000000', { body: { description: 'x' } })).status).toBe(404);
    expect((await h.request('GET', '/v1/audit?action=endpoint.update&limit=100')).body.data.length).toBe(before);
  });
});
