// Search end to end on both stores, over the API and the built CLI: events by id, idempotency key,
// type prefix, tenant, time range and data containment; deliveries by the last attempt's HTTP
// status, attempt code and tenant, against real endpoints answering 404 and 503.

import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { runCli } from './cli-helpers.js';

const answer = (status: number) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end('no');
};

describe.each(['sqlite', 'postgres'] as const)('search (%s)', (store) => {
  let h: Harness;
  let schema: string | null = null;
  let notFound: Receiver;
  let unavailable: Receiver;
  let env: Record<string, string>;
  const ids: Record<string, string> = {};
  let between = '';

  beforeAll(async () => {
    if (store === 'postgres') {
      schema = freshSchema('hookd_search');
      h = await createHarness({ env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } });
    } else h = await createHarness();
    expect(h.runtime.store.dialect).toBe(store);
    const url = await h.runtime.app.listen({ port: 0, host: '127.0.0.1' });
    env = { HOOKD_URL: url, HOOKD_API_KEY: ADMIN_KEY, NO_COLOR: '1', HOME: h.runtime.config.dataDir, XDG_CONFIG_HOME: h.runtime.config.dataDir };
    notFound = await startReceiver(answer(404));
    unavailable = await startReceiver(answer(503));
    // One attempt each, so every delivery ends failed with its last attempt's status and code.
    for (const [tenant, receiver] of [['acme', notFound], ['globex', unavailable]] as const) {
      const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant, eventTypes: ['order.created', 'order.updated'], retrySchedule: [0] } });
      expect(ep.status).toBe(201);
    }
    ids.vip = (await h.request('POST', '/v1/events', { body: { type: 'order.created', tenant: 'acme', data: { customer: { tier: 'vip', id: 7 } }, idempotencyKey: 'search-vip-1' } })).body.id;
    await new Promise((r) => setTimeout(r, 20));
    between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    ids.basic = (await h.request('POST', '/v1/events', { body: { type: 'order.updated', tenant: 'globex', data: { customer: { tier: 'basic' } } } })).body.id;
    ids.other = (await h.request('POST', '/v1/events', { body: { type: 'invoice.paid', tenant: 'acme', data: { customer: { tier: 'vip' } } } })).body.id;
    await eventually(async () => {
      const page = await h.request('GET', '/v1/deliveries?status=failed');
      return page.body.data.length === 2;
    }, 15_000);
  }, 40_000);
  afterAll(async () => {
    await h?.close();
    await notFound?.close();
    await unavailable?.close();
    if (schema) await dropSchema(schema);
  });

  const eventIds = async (query: string) => {
    const res = await h.request('GET', `/v1/events?${query}`);
    expect(res.status, res.text).toBe(200);
    return (res.body.data as Array<{ id: string }>).map((e) => e.id).sort();
  };

  it('events over the API: id, idempotency key, type prefix, tenant, time range, containment', async () => {
    expect(await eventIds(`id=${ids.vip}`)).toEqual([ids.vip]);
    expect(await eventIds('idempotencyKey=search-vip-1')).toEqual([ids.vip]);
    expect(await eventIds('typePrefix=order.')).toEqual([ids.vip, ids.basic].sort());
    // A tenant's events include hookd's own (its failing endpoint's); the orders are its one order.
    const globex = await h.request('GET', '/v1/events?tenant=globex');
    expect(globex.body.data.every((e: { tenant: string }) => e.tenant === 'globex')).toBe(true);
    expect(await eventIds('tenant=globex&typePrefix=order.')).toEqual([ids.basic]);
    expect(await eventIds('tenant=acme&typePrefix=order.')).toEqual([ids.vip]);
    // hookd's own events (failing endpoints) fall in the window too: only the published ones count here.
    const ours = (list: string[]) => list.filter((id) => Object.values(ids).includes(id));
    expect(ours(await eventIds(`since=${encodeURIComponent(between)}`))).toEqual([ids.basic, ids.other].sort());
    expect(ours(await eventIds(`until=${encodeURIComponent(between)}`))).toEqual([ids.vip]);
    expect(await eventIds(`until=${encodeURIComponent(between)}&typePrefix=order.`)).toEqual([ids.vip]);
    expect(await eventIds(`match=${encodeURIComponent('{"customer":{"tier":"vip"}}')}`)).toEqual([ids.vip, ids.other].sort());
    expect(await eventIds(`match=${encodeURIComponent('{"customer":{"tier":"vip"}}')}&typePrefix=order.`)).toEqual([ids.vip]);
    expect(await eventIds(`match=${encodeURIComponent('{"customer":{"id":7}}')}`)).toEqual([ids.vip]);
  });

  it('deliveries over the API: HTTP status, attempt code and tenant', async () => {
    const list = async (query: string) => {
      const res = await h.request('GET', `/v1/deliveries?${query}`);
      expect(res.status, res.text).toBe(200);
      return res.body.data as Array<{ eventId: string; tenant: string | null }>;
    };
    expect((await list('httpStatus=404')).map((d) => d.eventId)).toEqual([ids.vip]);
    expect((await list('httpStatus=503')).map((d) => d.eventId)).toEqual([ids.basic]);
    expect(await list('httpStatus=500')).toEqual([]);
    expect((await list('code=http_not_found')).map((d) => d.eventId)).toEqual([ids.vip]);
    expect((await list('code=http_server_error')).map((d) => d.eventId)).toEqual([ids.basic]);
    expect((await list('tenant=globex')).map((d) => d.eventId)).toEqual([ids.basic]);
    expect(await list('tenant=globex&httpStatus=404')).toEqual([]);
  });

  it('the CLI: hookd events list and hookd deliveries list with the same filters', async () => {
    const cli = async (args: string[]) => {
      const res = await runCli([...args, '--json'], env);
      expect(res.code, res.stderr).toBe(0);
      return (JSON.parse(res.stdout).data as Array<{ id: string; eventId?: string }>);
    };
    expect((await cli(['events', 'list', '--match', '{"customer":{"tier":"vip"}}', '--type-prefix', 'order.'])).map((e) => e.id)).toEqual([ids.vip]);
    expect((await cli(['events', 'list', '--idempotency-key', 'search-vip-1'])).map((e) => e.id)).toEqual([ids.vip]);
    expect((await cli(['events', 'list', '--tenant', 'globex', '--type-prefix', 'order.'])).map((e) => e.id)).toEqual([ids.basic]);
    expect((await cli(['deliveries', 'list', '--http-status', '404'])).map((d) => d.eventId)).toEqual([ids.vip]);
    expect((await cli(['deliveries', 'list', '--code', 'http_server_error'])).map((d) => d.eventId)).toEqual([ids.basic]);
    expect((await cli(['deliveries', 'list', '--tenant', 'acme'])).map((d) => d.eventId)).toEqual([ids.vip]);
  }, 60_000);
});
