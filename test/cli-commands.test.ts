// The built CLI against a real server: tables and --json, exit codes (0 ok, 1 API failure or non-2xx
// test, 2 usage and missing configuration), send with @file, deliveries, recover, keys, sources,
// profiles, and colour decisions when piped.

import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
let app: Receiver;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  app = await startReceiver();
  dir = mkdtempSync(join(tmpdir(), 'hookd-cli-files-'));
});

afterAll(async () => {
  await app?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const cli = (args: string[], extra: Record<string, string | undefined> = {}, input?: string) => runCli(args, { ...server.env, ...extra }, { input });

describe('endpoints', () => {
  it('creates, lists (table and JSON), gets, updates, disables, enables and deletes', async () => {
    const created = await cli(['endpoints', 'create', app.url, '--events', 'chat.started,chat.ended', '--description', 'crm', '--retry-schedule', '0,1', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const ep = JSON.parse(created.stdout);
    expect(ep.id).toMatch(/^ep_/);
    expect(ep.secret).toMatch(/^whsec_/);
    expect(ep.eventTypes).toEqual(['chat.started', 'chat.ended']);
    expect(ep.retrySchedule).toEqual([0, 1]);

    const table = await cli(['endpoints', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+URL\s+STATE\s+EVENTS/);
    expect(table.stdout).toContain(ep.id);
    expect(table.stdout).toContain('chat.started,chat.ended');
    // Piped: no colour codes and no box drawing.
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stdout).not.toContain('│');

    const json = await cli(['endpoints', 'list', '--json']);
    const page = JSON.parse(json.stdout);
    expect(page.data.map((e: { id: string }) => e.id)).toContain(ep.id);
    expect(page).toHaveProperty('nextCursor');

    const got = await cli(['endpoints', 'get', ep.id]);
    expect(got.stdout).toMatch(/^id\s+ep_/m);
    expect(got.stdout).toMatch(/events\s+chat\.started, chat\.ended/);

    const updated = await cli(['endpoints', 'update', ep.id, '--all-events', '--auth-bearer', 's3cret', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ eventTypes: null, auth: { type: 'bearer', token: '[redacted]' } });

    expect((await cli(['endpoints', 'disable', ep.id])).stdout).toContain('disabled (manual)');
    expect((await cli(['endpoints', 'enable', ep.id])).stdout).toContain('enabled');

    const rotated = await cli(['endpoints', 'rotate-secret', ep.id, '--json']);
    expect(JSON.parse(rotated.stdout).secret).toMatch(/^whsec_/);
    expect(JSON.parse(rotated.stdout).secret).not.toBe(ep.secret);

    const deleted = await cli(['endpoints', 'delete', ep.id]);
    expect(deleted.code).toBe(0);
    const gone = await cli(['endpoints', 'get', ep.id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`error: Not found: No endpoint ${ep.id}. (not_found)`);
  });

  it('`endpoints test` exits 0 on a 2xx and 1 on a non-2xx answer', async () => {
    const good = JSON.parse((await cli(['endpoints', 'create', app.url, '--json'])).stdout);
    const ok = await cli(['endpoints', 'test', good.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^\[200\] ok in \d+ ms/);

    const failing = await startReceiver((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    });
    try {
      const bad = JSON.parse((await cli(['endpoints', 'create', failing.url, '--retry-schedule', '0', '--json'])).stdout);
      const res = await cli(['endpoints', 'test', bad.id, '--json']);
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout).attempt).toMatchObject({ responseStatus: 500, code: 'http_server_error' });
      await cli(['endpoints', 'delete', bad.id]);
    } finally {
      await failing.close();
    }
    await cli(['endpoints', 'delete', good.id]);
  });

  it('refuses a validation error from the API with exit 1 and one line', async () => {
    const res = await cli(['endpoints', 'create', 'ftp://example.com/x']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^error: .+: .+ \((invalid_url|validation_failed)\)$/m);
  });
});

describe('send, events and deliveries', () => {
  it('publishes data from @file, shows it in events and deliveries, retries and recovers', async () => {
    const ep = JSON.parse((await cli(['endpoints', 'create', app.url, '--events', 'call.ended', '--json'])).stdout);
    const file = join(dir, 'call.json');
    writeFileSync(file, JSON.stringify({ callId: 'call_1', talkSeconds: 312 }));
    const before = app.requests.length;

    const sent = await cli(['send', 'call.ended', '--data', `@${file}`, '--idempotency-key', 'call-1']);
    expect(sent.code, sent.stderr).toBe(0);
    const evtId = /published (evt_\S+) \(call\.ended\) to 1 endpoint/.exec(sent.stdout)?.[1];
    expect(evtId).toBeDefined();
    await app.waitFor(before + 1);
    expect(JSON.parse(app.requests.at(-1)!.body.toString()).data).toEqual({ callId: 'call_1', talkSeconds: 312 });

    const replay = await cli(['send', '--type', 'call.ended', '--data', `@${file}`, '--idempotency-key', 'call-1', '--json']);
    expect(JSON.parse(replay.stdout)).toMatchObject({ id: evtId, replayed: true });

    const event = await cli(['events', 'get', evtId!, '--json']);
    expect(JSON.parse(event.stdout)).toMatchObject({ id: evtId, type: 'call.ended', data: { callId: 'call_1' } });
    const events = await cli(['events', 'list', '--type', 'call.ended']);
    expect(events.stdout).toContain(evtId);

    const dlvId = await eventually(async () => {
      const list = JSON.parse((await cli(['deliveries', 'list', '--endpoint', ep.id, '--json'])).stdout);
      const d = list.data[0];
      return d && d.status === 'succeeded' ? (d.id as string) : null;
    });
    const table = await cli(['deliveries', 'list', '--endpoint', ep.id, '--status', 'succeeded']);
    expect(table.stdout).toMatch(new RegExp(`${dlvId}\\s+call\\.ended\\s+${ep.id}\\s+succeeded\\s+1\\s+200 ok`));
    const detail = await cli(['deliveries', 'get', dlvId]);
    expect(detail.stdout).toMatch(/^1\s+\S+ \S+\s+200\s+ok\s+\d+ ms/m);

    const retried = await cli(['deliveries', 'retry', dlvId]);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain('re-queued 1 of 1 delivery');
    await app.waitFor(before + 2);
    expect(app.requests.at(-1)!.headers['webhook-id']).toBe(evtId);

    const recovered = await cli(['recover', ep.id, '--since', '3d', '--json']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(JSON.parse(recovered.stdout)).toMatchObject({ endpointId: ep.id, recovered: 0, endpointEnabled: true });
    await cli(['endpoints', 'delete', ep.id]);
  });

  it('exits 2 for usage errors: bad JSON with its position, unknown commands, bad times, missing arguments', async () => {
    const badJson = await cli(['send', 'chat.started', '--data', '{"a": 1,}']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('line 1, column 9');

    const unknown = await cli(['endpointz', 'list']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean endpoints?');

    const badTime = await cli(['recover', 'ep_x', '--since', 'yesterday-ish']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('is not a time');

    expect((await cli(['recover', 'ep_x'])).code).toBe(2);
    expect((await cli(['endpoints'])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
  });

  it('exits 2 with a helpful message when no server is configured', async () => {
    const res = await runCli(['endpoints', 'list'], { XDG_CONFIG_HOME: server.configHome, HOME: server.configHome, NO_COLOR: '1' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no hookd server configured');
    expect(res.stderr).toContain('HOOKD_URL');
    expect(res.stderr).toContain('hookd login');
  });

  it('exits 1 naming the server when it cannot be reached', async () => {
    const port = await closedPort();
    const res = await cli(['endpoints', 'list'], { HOOKD_URL: `http://127.0.0.1:${port}` });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach the hookd server at http://127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('never colours piped output, even with CI=true (picocolors would)', async () => {
    const res = await runCli(['endpoints', 'list'], { ...server.env, NO_COLOR: undefined, CI: 'true' });
    expect(res.code).toBe(0);
    expect(res.stdout + res.stderr).not.toContain('\u001b[');
  });
});

describe('keys, profiles and sources', () => {
  it('creates, lists and revokes API keys', async () => {
    const created = JSON.parse((await cli(['keys', 'create', '--name', 'ci', '--tenant', 'acme', '--json'])).stdout);
    expect(created).toMatchObject({ role: 'tenant', tenant: 'acme' });
    expect(created.key).toBeTruthy();
    const list = await cli(['keys', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${created.id}\\s+ci\\s+tenant\\s+acme`));
    // The tenant key works, then stops working once revoked.
    expect((await cli(['endpoints', 'list'], { HOOKD_API_KEY: created.key })).code).toBe(0);
    expect((await cli(['keys', 'revoke', created.id])).code).toBe(0);
    const denied = await cli(['endpoints', 'list'], { HOOKD_API_KEY: created.key });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/\(unauthorized|invalid_api_key|\(\w+\)/);
  });

  it('login saves a profile with mode 0600 that later commands use', async () => {
    const configHome = mkdtempSync(join(tmpdir(), 'hookd-cli-profile-'));
    try {
      const base = { XDG_CONFIG_HOME: configHome, HOME: configHome, NO_COLOR: '1' };
      const login = await runCli(['login', '--profile', 'local', '--url', server.url, '--api-key', server.env.HOOKD_API_KEY!], base);
      expect(login.code, login.stderr).toBe(0);
      const file = join(configHome, 'hookd', 'config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const list = await runCli(['endpoints', 'list', '--json'], base);
      expect(list.code, list.stderr).toBe(0);
      expect((await runCli(['--profile', 'local', 'endpoints', 'list', '--json'], base)).code).toBe(0);
      const missing = await runCli(['endpoints', 'list', '--profile', 'nope'], base);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no profile "nope"');
      const shown = await runCli(['config', 'list', '--json'], base);
      expect(JSON.parse(shown.stdout).profiles[0]).toMatchObject({ name: 'local', url: server.url });
      expect(shown.stdout).not.toContain(server.env.HOOKD_API_KEY);
      const badLogin = await runCli(['login', '--url', server.url, '--api-key', 'hk_wrong'], base);
      expect(badLogin.code).toBe(1);
    } finally {
      rmSync(configHome, { recursive: true, force: true });
    }
  });

  it('manages sources and shows their request log', async () => {
    const probe = await server.harness.request('GET', '/v1/sources');
    if (probe.status === 404) return; // inbound routes not in this build
    const created = await cli(['sources', 'create', '--name', 'partner', '--verify', 'bearer', '--token', 'tok123', '--event-type', 'chat.started', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const src = JSON.parse(created.stdout);
    expect(src.ingressUrl).toContain(`/in/${src.id}`);
    const res = await fetch(src.ingressUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: '{}' });
    expect(res.status).toBe(401);
    const list = await cli(['sources', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${src.id}\\s+partner\\s+bearer`));
    const requests = await cli(['sources', 'requests', src.id]);
    expect(requests.code).toBe(0);
    expect(requests.stdout).toMatch(/rejected\s+401/);
    const json = JSON.parse((await cli(['sources', 'requests', src.id, '--json'])).stdout);
    expect(json.data[0]).toMatchObject({ verdict: 'rejected', status: 401 });
    expect((await cli(['sources', 'delete', src.id])).code).toBe(0);
    expect((await cli(['sources', 'get', src.id])).code).toBe(1);
  });
});
