// `hookd events list` search flags and the new `hookd deliveries list` filters against a real server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

const cli = (args: string[]) => runCli(args, server.env);

describe('hookd events list search', () => {
  it('finds events by --match, --type-prefix, --idempotency-key and --tenant', async () => {
    const vip = await cli(['send', 'order.created', '--data', '{"customer":{"tier":"vip"}}', '--tenant', 'acme', '--idempotency-key', 'ord-7', '--json']);
    expect(vip.code, vip.stderr).toBe(0);
    const vipId = JSON.parse(vip.stdout).id as string;
    const basic = await cli(['send', 'order.paid', '--data', '{"customer":{"tier":"basic"}}', '--tenant', 'acme', '--json']);
    expect(basic.code, basic.stderr).toBe(0);
    const basicId = JSON.parse(basic.stdout).id as string;

    const ids = async (args: string[]) => {
      const res = await cli(['events', 'list', ...args, '--json']);
      expect(res.code, res.stderr).toBe(0);
      return (JSON.parse(res.stdout).data as Array<{ id: string }>).map((e) => e.id);
    };
    expect(await ids(['--match', '{"customer":{"tier":"vip"}}'])).toEqual([vipId]);
    expect(await ids(['--type-prefix', 'order.', '--tenant', 'acme'])).toEqual([vipId, basicId]);
    expect(await ids(['--idempotency-key', 'ord-7'])).toEqual([vipId]);
    expect(await ids(['--id', basicId])).toEqual([basicId]);
    expect(await ids(['--since', '1h', '--type', 'order.paid'])).toEqual([basicId]);

    const table = await cli(['events', 'list', '--match', '{"customer":{"tier":"vip"}}']);
    expect(table.stdout).toContain(vipId);
    expect(table.stdout).not.toContain(basicId);
  });

  it('refuses a --match that is not a JSON object as a usage error', async () => {
    const res = await cli(['events', 'list', '--match', '{tier:vip}']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('is not JSON');
    const array = await cli(['events', 'list', '--match', '[1]']);
    expect(array.code).toBe(2);
    expect(array.stderr).toContain('must be a JSON object');
  });
});

describe('hookd deliveries list filters', () => {
  it('passes --tenant, --http-status and --code through', async () => {
    const res = await cli(['deliveries', 'list', '--tenant', 'acme', '--http-status', '404', '--code', 'http_client_error', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).data).toEqual([]);
    const bad = await cli(['deliveries', 'list', '--http-status', 'x']);
    expect(bad.code).toBe(2);
  });
});

describe('hookd audit', () => {
  it('lists who changed what, filters by action, and reads as JSON', async () => {
    const created = await cli(['endpoints', 'create', 'http://127.0.0.1:9/audit', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const ep = JSON.parse(created.stdout);
    const table = await cli(['audit', '--action', 'endpoint.']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('endpoint.create');
    const json = await cli(['audit', '--action', 'endpoint.create', '--json']);
    const page = JSON.parse(json.stdout);
    expect(page.data[0]).toMatchObject({ action: 'endpoint.create', actor: { kind: 'admin_key' }, diff: { body: { url: 'http://127.0.0.1:9/audit' } } });
    expect(JSON.stringify(page.data)).not.toContain(ep.secret);
    expect((await cli(['audit', '--since', 'yesterday'])).code).toBe(2);
  });
});
