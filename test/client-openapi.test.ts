// hookd/client against the server: the operation table and /openapi.json agree in both directions
// (every documented /v1 operation has a client operation with the same method, path and answer
// models, and no client operation is undocumented); every /v1 answer is documented; a live run of
// the typed client over a real socket; problem errors typed; 503 retried after Retry-After; and the
// response check itself fails an answer that drifts from its model.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { HookdClient, HookdNetworkError, HookdProblemError, OPERATIONS, paginate, retryAfterMs } from '../src/client/index.js';
import { responses } from '../src/api/responses.js';
import { ADMIN_KEY, createHarness, type Harness } from './helpers/harness.js';

type OpenApi = { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { title?: string; type?: string } }> }> }>> };

let h: Harness;
let base: string;
let doc: OpenApi;

beforeAll(async () => {
  h = await createHarness(
    {},
    {
      modules: [
        // A route whose answer does not match its model: the check must turn it into a 500.
        async (app: FastifyInstance) => {
          app.get('/v1/test-drift', { schema: { hide: true, response: responses({ 200: Type.Object({ id: Type.String() }, { additionalProperties: false }) }) } }, async () => ({ id: 'x', extra: true }));
        },
      ],
    },
  );
  await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.runtime.app.server.address() as AddressInfo).port}`;
  doc = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApi;
});
afterAll(async () => h?.close());

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function documentedV1(): Map<string, Record<string, string | null>> {
  const out = new Map<string, Record<string, string | null>>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      const models: Record<string, string | null> = {};
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        const content = answer.content ?? {};
        const schema = Object.values(content)[0]?.schema;
        models[status] = schema === undefined ? null : schema.type === 'string' ? 'text' : (schema.title ?? 'untitled');
      }
      out.set(`${method.toUpperCase()} ${path}`, models);
    }
  }
  return out;
}

describe('the OpenAPI document and hookd/client agree', () => {
  it('every documented /v1 operation is a client operation with the same answer models, and back', () => {
    const documented = documentedV1();
    const client = new Map(Object.values(OPERATIONS).map((op) => [`${op.method} ${op.path}`, Object.fromEntries(Object.entries(op.responses).map(([s, m]) => [s, m]))]));
    const missingInClient = [...documented.keys()].filter((k) => !client.has(k));
    const undocumented = [...client.keys()].filter((k) => !documented.has(k));
    expect(missingInClient, 'documented but the client has no operation').toEqual([]);
    expect(undocumented, 'in the client but not in /openapi.json').toEqual([]);
    for (const [key, models] of client) expect(documented.get(key), key).toEqual(models);
    expect(documented.size).toBeGreaterThanOrEqual(45);
  });

  it('every /v1 answer documents its success model and the problem document for errors', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(ops)) {
        const statuses = Object.keys(operation.responses ?? {});
        expect(statuses.some((s) => /^2\d\d$/.test(s)), `${method} ${path}`).toBe(true);
        for (const errorClass of ['4XX', '5XX']) {
          const schema = operation.responses?.[errorClass]?.content?.['application/problem+json']?.schema;
          expect(schema?.title, `${method} ${path} ${errorClass}`).toBe('Problem');
        }
      }
    }
  });

  it('a route registered without a success model is refused at start', async () => {
    await expect(
      createHarness({}, { modules: [async (app: FastifyInstance) => void app.get('/v1/undocumented', async () => ({ ok: true }))] }),
    ).rejects.toThrow(/declares no success response model/);
  });

  it('an answer that drifts from its model is a 500 with the route named in the log, not a silent change', async () => {
    const res = await fetch(`${base}/v1/test-drift`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(500);
    const problem = (await res.json()) as { code: string };
    expect(problem.code).toBe('internal_error');
  });
});

describe('the typed client against a running server', () => {
  it('creates, reads, pages and deletes through typed methods', async () => {
    const hookd = new HookdClient({ baseUrl: `${base}/`, apiKey: ADMIN_KEY });
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await hookd.endpoints.create({ url: `http://127.0.0.1:9/hook-${i}`, description: `ep ${i}`, enabled: false }));
    expect(created[0]!.secret).toMatch(/^whsec_/);
    const one = await hookd.endpoints.get(created[0]!.id);
    expect(one.auth).toEqual({ type: 'none' });
    const seen: string[] = [];
    for await (const ep of paginate((cursor) => hookd.endpoints.list({ limit: 2, cursor }))) seen.push(ep.id);
    expect(new Set(seen)).toEqual(new Set(created.map((e) => e.id)));
    const viaIterate: string[] = [];
    for await (const ep of hookd.endpoints.iterate({ limit: 2 })) viaIterate.push(ep.id);
    expect(viaIterate).toEqual(seen);

    const published = await hookd.events.publish({ type: 'chat.started', data: { chatId: 'c_1' } });
    expect(published.replayed).toBe(false);
    const event = await hookd.events.get(published.id);
    expect(event.type).toBe('chat.started');
    const feed = await hookd.events.feed({ limit: 10 });
    expect(feed.data.map((e) => e.id)).toContain(published.id);

    await hookd.endpoints.delete(created[0]!.id);
    const who = await hookd.meta.whoami();
    expect(who.role).toBe('admin');
  });

  it('answers problem+json as HookdProblemError with its stable code and field errors', async () => {
    const hookd = new HookdClient({ baseUrl: base, apiKey: ADMIN_KEY });
    const missing = await hookd.endpoints.get('ep_nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HookdProblemError);
    expect((missing as HookdProblemError).status).toBe(404);
    expect((missing as HookdProblemError).code).toBe('not_found');
    const invalid = (await hookd.endpoints.create({ url: 'http://127.0.0.1:9/x', timeoutMs: 5 }).catch((e: unknown) => e)) as HookdProblemError;
    expect(invalid.code).toBe('validation_failed');
    expect(invalid.errors.map((e) => e.path)).toContain('/body/timeoutMs');
    const noKey = (await new HookdClient({ baseUrl: base, apiKey: 'hk_wrong' }).endpoints.list().catch((e: unknown) => e)) as HookdProblemError;
    expect(noKey.status).toBe(401);
    const down = await new HookdClient({ baseUrl: 'http://127.0.0.1:9', apiKey: ADMIN_KEY }).endpoints.list().catch((e: unknown) => e);
    expect(down).toBeInstanceOf(HookdNetworkError);
  });
});

describe('retries on 503', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  let failures = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (hits <= failures) {
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '2' });
        res.end(JSON.stringify({ type: 'x', title: 'Service unavailable', status: 503, detail: 'database down', code: 'service_unavailable' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ role: 'admin', tenant: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('waits what Retry-After says, then succeeds; gives up after the configured retries with the problem', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    hits = 0;
    failures = 2;
    const hookd = new HookdClient({ baseUrl: url, apiKey: 'k', sleep });
    expect((await hookd.meta.whoami()).role).toBe('admin');
    expect(hits).toBe(3);
    expect(waits).toEqual([2000, 2000]);

    hits = 0;
    failures = 10;
    waits.length = 0;
    const err = (await new HookdClient({ baseUrl: url, apiKey: 'k', sleep, retries: 2 }).meta.whoami().catch((e: unknown) => e)) as HookdProblemError;
    expect(err).toBeInstanceOf(HookdProblemError);
    expect(err.code).toBe('service_unavailable');
    expect(hits).toBe(3);
    expect(waits).toEqual([2000, 2000]);
  });

  it('repeats after a 503 only what is safe to repeat: a POST without an idempotency key is answered at once', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    hits = 0;
    failures = 1;
    const err = (await new HookdClient({ baseUrl: url, apiKey: 'k', sleep }).events.publish({ type: 'chat.started', data: {} }).catch((e: unknown) => e)) as HookdProblemError;
    expect(err.code).toBe('service_unavailable');
    expect(hits).toBe(1);
    expect(waits).toEqual([]);

    hits = 0;
    failures = 1;
    await new HookdClient({ baseUrl: url, apiKey: 'k', sleep }).events.publish({ type: 'chat.started', data: {}, idempotencyKey: 'chat-1' });
    expect(hits).toBe(2);
    expect(waits).toEqual([2000]);
  });

  it('reads Retry-After as seconds or an HTTP date, and caps the wait', async () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1, 0, 0, 0))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
    const waits: number[] = [];
    hits = 0;
    failures = 1;
    await new HookdClient({ baseUrl: url, apiKey: 'k', maxRetryDelayMs: 500, sleep: async (ms) => void waits.push(ms) }).meta.whoami();
    expect(waits).toEqual([500]);
  });
});
