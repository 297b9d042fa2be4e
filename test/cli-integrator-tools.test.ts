// The integrator tools end to end against a real server, with the BUILT CLI: `hookd trigger` (the
// example generated from a schema, --set, --dry-run, refusals), `hookd mock` (a real listener that
// fails on purpose) and `hookd mcp` driven by the MCP SDK's own client over stdio and streamable HTTP
// (read-only tools, dry runs, real runs only with --allow-writes, tenant keys see only their tenant).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEFAULT_MOCK } from '../src/core/mock-behaviour.js';
import { startMockServer, type MockServer } from '../src/cli/mock-server.js';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { BIN, cleanEnv, ndjson, runCli, startCli, startServer, type TestServer } from './cli-helpers.js';
import { eventually } from './helpers/receiver.js';

const TYPE = 'tools.order.placed';
const SCHEMA = {
  type: 'object',
  required: ['orderId', 'customer', 'total'],
  properties: { orderId: { type: 'string', minLength: 4 }, customer: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } }, total: { type: 'integer', minimum: 1 } },
};

let server: TestServer;
let failing: MockServer;
let endpointId: string;

beforeAll(async () => {
  server = await startServer();
  failing = await startMockServer({ ...DEFAULT_MOCK, status: 500 });
  const put = await server.harness.request('PUT', `/v1/event-types/${TYPE}`, { body: { description: 'an order', schema: SCHEMA } });
  expect(put.status, put.text).toBeLessThan(300);
  const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: failing.url, eventTypes: [TYPE], retrySchedule: [0] } });
  expect(ep.status, ep.text).toBe(201);
  endpointId = ep.body.id;
}, 30_000);

afterAll(async () => {
  await failing?.close();
  await server?.close();
});

const cli = (args: string[]) => runCli(args, server.env);

describe('hookd trigger', () => {
  it('publishes data generated from the schema, with --set applied', async () => {
    const res = await cli(['trigger', TYPE, '--set', 'customer.name=Ada', '--set', 'total=42', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ type: TYPE, deliveries: 1, source: 'schema' });
    expect(out.data.customer.name).toBe('Ada');
    expect(out.data.total).toBe(42);
    expect(createSchemaChecker().check(SCHEMA, out.data)).toEqual([]);
    const stored = await server.harness.request('GET', `/v1/events/${out.id}`);
    expect(stored.body.data).toEqual(out.data);
  });

  it('--dry-run prints and publishes nothing; bad input is refused precisely', async () => {
    const dry = await cli(['trigger', TYPE, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ type: TYPE, source: 'schema' });
    const unknown = await cli(['trigger', 'tools.not.there']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not in the catalogue');
    const hostile = await cli(['trigger', TYPE, '--set', '__proto__.polluted=1']);
    expect(hostile.code).toBe(2);
    expect(hostile.stderr).toContain('reserved key');
    // A --set that breaks the schema is the server's 422, not a crash.
    const mismatch = await cli(['trigger', TYPE, '--set', 'total="many"']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/schema/i);
  });
});

describe('GET /v1/event-types/:name/sample', () => {
  it('answers the generated data, 404 for an unknown type, 400 for a hostile name, 401 without a key', async () => {
    const res = await server.harness.request('GET', `/v1/event-types/${TYPE}/sample`);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('schema');
    expect(createSchemaChecker().check(SCHEMA, res.body.data)).toEqual([]);
    const tenantKey = (await server.harness.request('POST', '/v1/api-keys', { body: { tenant: 'sample-t' } })).body.key as string;
    expect((await server.harness.request('GET', `/v1/event-types/${TYPE}/sample`, { key: tenantKey })).status).toBe(200);
    const missing = await server.harness.request('GET', '/v1/event-types/tools.none/sample');
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
    const hostile = await server.harness.request('GET', `/v1/event-types/${encodeURIComponent('../../x')}/sample`);
    expect(hostile.status).toBe(400);
    expect(hostile.headers['content-type']).toMatch(/problem\+json/);
    expect((await server.harness.request('GET', `/v1/event-types/${TYPE}/sample`, { key: null })).status).toBe(401);
  });
});

describe('hookd mock', () => {
  it('answers as told and logs NDJSON; bad flags are usage errors', async () => {
    const mock = startCli(['mock', '--port', '0', '--status', '503', '--retry-after', '7', '--latency', '10..30', '--json'], server.env);
    try {
      const [, url] = await mock.waitFor(/mock receiver on (http:\S+)/, 15_000, 'stderr');
      const res = await fetch(url!, { method: 'POST', body: '{"a":1}' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('7');
      await mock.waitFor(/"status":503/);
      expect(ndjson(mock.stdout())[0]).toMatchObject({ n: 1, method: 'POST', status: 503, bytes: 7 });
    } finally {
      mock.kill();
    }
    for (const bad of [['--fail-rate', '2'], ['--latency', '9..1'], ['--status', '99']]) {
      const res = await cli(['mock', '--port', '0', ...bad]);
      expect(res.code, bad.join(' ')).toBe(2);
    }
  });
});

function text(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text: string }> }).content;
  return content.map((c) => c.text).join('\n');
}

function json(result: unknown): any {
  return JSON.parse(text(result));
}

describe('hookd mcp', () => {
  it('serves the tools over stdio to the SDK client: look-ups, doctor, payload, signatures, dry runs', async () => {
    const published = await server.harness.request('POST', '/v1/events', { body: { type: TYPE, data: { orderId: 'ord_1', customer: { name: 'Ada' }, total: 3 } } });
    const eventId = published.body.id as string;
    // The mock answers 500 and the schedule is [0]: the delivery fails once and for all.
    const delivery = await eventually(async () => {
      const list = await server.harness.request('GET', `/v1/events/${eventId}/deliveries`);
      const d = list.body.data?.[0];
      return d && d.status === 'failed' ? d : null;
    }, 15_000);

    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: cleanEnv(server.env) as Record<string, string>, stderr: 'pipe' });
    const client = new Client({ name: 'hookd-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['check_payload', 'get_delivery', 'get_event', 'list_failing_endpoints', 'recover_endpoint', 'retry_delivery', 'run_doctor', 'sign_sample', 'verify_sample']);

      const event = json(await client.callTool({ name: 'get_event', arguments: { id: eventId } }));
      expect(event.event.id).toBe(eventId);
      expect(event.deliveries[0].id).toBe(delivery.id);

      const missing = await client.callTool({ name: 'get_delivery', arguments: { id: 'dlv_nope' } });
      expect(missing.isError).toBe(true);
      expect(text(missing)).toContain('not_found');

      const failingList = json(await client.callTool({ name: 'list_failing_endpoints', arguments: {} }));
      expect(failingList.complete).toBe(true);
      expect(failingList.endpoints.map((e: { id: string }) => e.id)).toContain(endpointId);

      const doctor = json(await client.callTool({ name: 'run_doctor', arguments: { endpointId } }));
      expect(JSON.stringify(doctor)).toMatch(/http_5xx|http_server_error|5\d\d/);

      const payload = json(await client.callTool({ name: 'check_payload', arguments: { type: TYPE, payload: '{"orderId": 1' } }));
      expect(JSON.stringify(payload)).toMatch(/line/i);

      const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
      const signed = json(await client.callTool({ name: 'sign_sample', arguments: { secret, body: '{"a":1}', id: 'msg_1', timestamp: Math.floor(Date.now() / 1000) } }));
      const verified = json(await client.callTool({ name: 'verify_sample', arguments: { secret, body: '{"a":1}', id: 'msg_1', timestamp: signed['webhook-timestamp'], signature: signed['webhook-signature'] } }));
      expect(verified.ok).toBe(true);
      const tampered = json(await client.callTool({ name: 'verify_sample', arguments: { secret, body: '{"a":2}', id: 'msg_1', timestamp: signed['webhook-timestamp'], signature: signed['webhook-signature'] } }));
      expect(tampered.ok).toBe(false);

      const dry = json(await client.callTool({ name: 'retry_delivery', arguments: { id: delivery.id } }));
      expect(dry.dryRun).toBe(true);
      const recoverDry = json(await client.callTool({ name: 'recover_endpoint', arguments: { endpointId, since: new Date(Date.now() - 3_600_000).toISOString() } }));
      expect(recoverDry).toMatchObject({ dryRun: true, complete: true });
      expect(recoverDry.wouldRequeue.failed).toBeGreaterThanOrEqual(1);

      // A real run needs --allow-writes on the server: refused here, and nothing changed.
      const refused = await client.callTool({ name: 'retry_delivery', arguments: { id: delivery.id, execute: true } });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toContain('--allow-writes');
      expect((await server.harness.request('GET', `/v1/deliveries/${delivery.id}`)).body.status).toBe('failed');

      const badArgs = await client.callTool({ name: 'recover_endpoint', arguments: { endpointId, since: 'yesterday' } });
      expect(badArgs.isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('serves streamable HTTP behind an API key; --allow-writes runs for real; tenant keys see only their tenant', async () => {
    const delivery = (await server.harness.request('GET', `/v1/deliveries?endpoint=${endpointId}&status=failed&limit=1`)).body.data[0];
    expect(delivery).toBeTruthy();
    const tenantKey = (await server.harness.request('POST', '/v1/api-keys', { body: { tenant: 'acme' } })).body.key as string;
    const mcp = startCli(['mcp', '--http', '--port', '0', '--allow-writes'], server.env);
    try {
      const [, url] = await mcp.waitFor(/on (http:\S+\/mcp)/, 15_000, 'stderr');
      const connect = async (key: string | null): Promise<Client> => {
        const transport = new StreamableHTTPClientTransport(new URL(url!), { requestInit: { headers: key === null ? {} : { authorization: `Bearer ${key}` } } });
        const client = new Client({ name: 'hookd-test', version: '1.0.0' });
        await client.connect(transport);
        return client;
      };
      await expect(connect(null)).rejects.toThrow();
      await expect(connect('hk_wrong_key_0000000000')).rejects.toThrow();
      const raw = await fetch(url!, { method: 'POST', headers: { authorization: `Bearer ${server.env.HOOKD_API_KEY}`, 'content-type': 'application/json' }, body: '{"jsonrpc": ' });
      expect(raw.status).toBe(400);

      const tenant = await connect(tenantKey);
      try {
        const seen = await tenant.callTool({ name: 'get_delivery', arguments: { id: delivery.id } });
        expect(seen.isError).toBe(true);
        expect(text(seen)).toContain('not_found');
        expect(json(await tenant.callTool({ name: 'list_failing_endpoints', arguments: {} })).endpoints).toEqual([]);
      } finally {
        await tenant.close();
      }

      const admin = await connect(server.env.HOOKD_API_KEY!);
      try {
        const real = json(await admin.callTool({ name: 'retry_delivery', arguments: { id: delivery.id, execute: true } }));
        expect(real.dryRun).toBe(false);
        expect(['pending', 'sending', 'failed']).toContain(real.delivery.status);
        const attempts = await eventually(async () => {
          const d = (await server.harness.request('GET', `/v1/deliveries/${delivery.id}`)).body;
          return Array.isArray(d.attempts) && d.attempts.length >= 2 ? d.attempts : null;
        }, 15_000);
        expect(attempts.length).toBeGreaterThanOrEqual(2);
      } finally {
        await admin.close();
      }
    } finally {
      mcp.kill();
    }
  }, 60_000);
});
