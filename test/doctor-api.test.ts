// The doctor's API routes through a full runtime (SQLite in a temp dir): endpoint diagnosis with the
// tenant filter, ad-hoc diagnosis under the SSRF policy, the payload check, and bad bodies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { serveHttp, type Closer } from './doctor-fixtures.js';

const closers: Closer[] = [];
let h: Harness;
let receiver: Awaited<ReturnType<typeof serveHttp>>;

beforeAll(async () => {
  h = await createHarness({});
  receiver = await serveHttp((_q, r) => r.end('ok'), closers);
});
afterAll(async () => {
  await h.close();
  await Promise.all(closers.map((c) => c()));
});

async function tenantKey(tenant: string): Promise<string> {
  const res = await h.request('POST', '/v1/api-keys', { body: { name: `${tenant} key`, tenant } });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

describe('POST /v1/endpoints/:id/diagnose', () => {
  it('returns the full report, steps in order', async () => {
    const created = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['chat.started'], timeoutMs: 1500 } });
    expect(created.status).toBe(201);
    const res = await h.request('POST', `/v1/endpoints/${created.body.id}/diagnose`);
    expect(res.status).toBe(200);
    expect(res.body.target).toBe(receiver.url);
    expect(res.body.checks.map((c: { step: string }) => c.step)).toEqual(['event', 'address', 'dns', 'tcp', 'tls', 'http', 'auth', 'payload', 'latency', 'logs']);
    for (const check of res.body.checks) expect(Object.keys(check).sort()).toEqual(['code', 'detail', 'durationMs', 'message', 'status', 'step']);
    // Nothing published yet: the event step says so, and it is the diagnosis.
    expect(res.body.checks[0]).toMatchObject({ step: 'event', status: 'fail', code: 'no_events' });
    expect(res.body).toMatchObject({ ok: false, diagnosis: { code: 'no_events', summary: expect.any(String), fix: expect.any(String) } });
  });

  it("is tenant-filtered: another tenant's endpoint is 404", async () => {
    const acme = await tenantKey('acme');
    const globex = await tenantKey('globex');
    const created = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url }, key: globex });
    expect(created.status).toBe(201);
    const other = await h.request('POST', `/v1/endpoints/${created.body.id}/diagnose`, { key: acme });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('not_found');
    const own = await h.request('POST', `/v1/endpoints/${created.body.id}/diagnose`, { key: globex });
    expect(own.status).toBe(200);
  });

  it('404 for an unknown endpoint, 401 without a key', async () => {
    expect((await h.request('POST', '/v1/endpoints/ep_nope/diagnose')).status).toBe(404);
    expect((await h.request('POST', '/v1/endpoints/ep_nope/diagnose', { key: null })).status).toBe(401);
  });
});

describe('POST /v1/diagnose', () => {
  it('diagnoses an ad-hoc URL', async () => {
    const res = await h.request('POST', '/v1/diagnose', { body: { url: receiver.url, method: 'POST', timeoutMs: 1500 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ target: receiver.url, ok: true, diagnosis: { code: 'plain_http' } });
  });

  it('400 on a bad body: unknown field, missing url, wrong method, invalid auth', async () => {
    for (const body of [{ url: receiver.url, extra: 1 }, {}, { url: receiver.url, method: 'GET' }, { url: receiver.url, auth: { type: 'bearer' } }]) {
      const res = await h.request('POST', '/v1/diagnose', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const malformed = await h.request('POST', '/v1/diagnose', { rawBody: '{"url": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_json');
  });

  it('an invalid URL is a report, not an error', async () => {
    const res = await h.request('POST', '/v1/diagnose', { body: { url: 'gopher://x' } });
    expect(res.status).toBe(200);
    expect(res.body.diagnosis.code).toBe('invalid_url');
  });
});

describe('the SSRF policy without an allowlist', () => {
  it('reports a loopback target as a failed address step with blocked_address and never probes it', async () => {
    const strict = await createHarness({ env: { HOOKD_ALLOW_PRIVATE: '' } });
    try {
      const before = receiver.requests.length;
      const res = await strict.request('POST', '/v1/diagnose', { body: { url: receiver.url } });
      expect(res.status).toBe(200);
      expect(res.body.checks[1]).toMatchObject({ step: 'address', status: 'fail', code: 'blocked_address' });
      expect(res.body.checks.filter((c: { status: string }) => c.status === 'skip').map((c: { step: string }) => c.step)).toEqual(expect.arrayContaining(['dns', 'tcp', 'tls', 'http', 'auth', 'latency']));
      expect(res.body.diagnosis.code).toBe('blocked_address');
      expect(receiver.requests.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('POST /v1/diagnose/payload', () => {
  beforeAll(async () => {
    const put = await h.request('PUT', '/v1/event-types/chat.started', {
      body: {
        description: 'A chat started',
        schema: {
          type: 'object',
          required: ['chatId', 'customer', 'startedAt'],
          properties: {
            chatId: { type: 'string' },
            startedAt: { type: 'string' },
            customer: { type: 'object', required: ['id', 'email'], properties: { id: { type: 'string' }, email: { type: 'string' } } },
            priority: { type: 'integer' },
          },
        },
      },
    });
    expect(put.status).toBeLessThan(300);
  });

  it('invalid_json with line, column and what was expected (the missing comma)', async () => {
    const res = await h.request('POST', '/v1/diagnose/payload', { body: { payload: '{\n  "chatId": "c1"\n  "startedAt": "now"\n}', type: 'chat.started' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, diagnosis: { code: 'invalid_json' } });
    expect(res.body.checks[0]).toMatchObject({ step: 'payload', status: 'fail', code: 'invalid_json', detail: { line: 3, column: 3, expected: "',' or '}' after the property value" } });
    expect(res.body.checks[0].message).toContain('line 3, column 3');
  });

  it('schema_mismatch lists every missing field and wrong type by path', async () => {
    const res = await h.request('POST', '/v1/diagnose/payload', { body: { payload: JSON.stringify({ chatId: 42, customer: { id: 'u1' }, priority: 'high' }), type: 'chat.started' } });
    expect(res.body).toMatchObject({ ok: false, diagnosis: { code: 'schema_mismatch' } });
    const errors = res.body.checks[0].detail.errors as Array<{ path: string; message: string }>;
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: '/startedAt', message: 'is required but missing' },
        { path: '/customer/email', message: 'is required but missing' },
        { path: '/chatId', message: 'must be string' },
        { path: '/priority', message: 'must be integer' },
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('a valid payload passes; an unknown type checks syntax only', async () => {
    const good = await h.request('POST', '/v1/diagnose/payload', { body: { payload: JSON.stringify({ chatId: 'c', startedAt: 'now', customer: { id: 'u', email: 'e' } }), type: 'chat.started' } });
    expect(good.body).toMatchObject({ ok: true, diagnosis: { code: 'ok' }, checks: [{ status: 'pass', detail: { schemaChecked: true } }] });
    const unknown = await h.request('POST', '/v1/diagnose/payload', { body: { payload: '{}', type: 'no.such.type' } });
    expect(unknown.body).toMatchObject({ ok: true, checks: [{ status: 'pass', detail: { schemaChecked: false } }] });
  });

  it('400 on a bad body', async () => {
    expect((await h.request('POST', '/v1/diagnose/payload', { body: { payload: {} } })).status).toBe(400);
    expect((await h.request('POST', '/v1/diagnose/payload', { body: { payload: '{}', type: 'bad type!' } })).status).toBe(400);
  });
});
