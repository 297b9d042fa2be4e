// `hookd alerts channels|rules|notifications` against a real server (the built CLI), with --json
// and table output, a test send to a loopback server, and refusals passed through as problems.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
let hooks: Server;
let hookUrl: string;
let received = 0;

beforeAll(async () => {
  hooks = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/alerts`;
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
  await new Promise((r) => hooks.close(r));
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...server.env, ...env });

describe('hookd alerts', () => {
  it('creates, lists, tests, updates and deletes channels and rules', async () => {
    const created = await cli(['alerts', 'channels', 'create', '--name', 'ops', '--kind', 'webhook', '--url', hookUrl, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const channel = JSON.parse(created.stdout);
    expect(channel.secret).toMatch(/^whsec_/);
    const table = await cli(['alerts', 'channels', 'create', '--name', 'mail', '--kind', 'email', '--host', '127.0.0.1', '--from', 'a@example.com', '--to', 'b@example.com', '--username', 'u', '--password-env', 'SMTP_PW'], { SMTP_PW: 'pw-from-env' });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('127.0.0.1:587 -> b@example.com');
    const list = await cli(['alerts', 'channels', 'list', '--json']);
    expect(JSON.parse(list.stdout).data.map((c: { name: string }) => c.name)).toEqual(['ops', 'mail']);
    expect(list.stdout).not.toContain('pw-from-env');
    expect(list.stdout).not.toContain(channel.secret);

    const sent = await cli(['alerts', 'channels', 'test', channel.id]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^sent \(200/);
    expect(received).toBe(1);
    // The URL from the environment (a Slack or Teams URL is the credential): it is what gets posted to.
    const viaEnv = await cli(['alerts', 'channels', 'create', '--name', 'from-env', '--kind', 'webhook', '--url-env', 'HOOKD_TEST_ALERT_URL', '--json'], { HOOKD_TEST_ALERT_URL: hookUrl });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const envChannel = JSON.parse(viaEnv.stdout);
    expect((await cli(['alerts', 'channels', 'test', envChannel.id])).stdout).toMatch(/^sent \(200/);
    expect(received).toBe(2);
    expect((await cli(['alerts', 'channels', 'delete', envChannel.id])).code).toBe(0);

    const rule = await cli(['alerts', 'rules', 'create', '--name', 'errors', '--kind', 'error_rate', '--threshold', '0.5', '--window', '600', '--channel', channel.id, '--json']);
    expect(rule.code, rule.stderr).toBe(0);
    const ruleId = JSON.parse(rule.stdout).id as string;
    expect(JSON.parse(rule.stdout)).toMatchObject({ threshold: 0.5, windowSeconds: 600, channels: [channel.id], enabled: true });
    const off = await cli(['alerts', 'rules', 'update', ruleId, '--disabled', '--json']);
    expect(JSON.parse(off.stdout).enabled).toBe(false);
    const rules = await cli(['alerts', 'rules', 'list']);
    expect(rules.stdout).toContain(ruleId);
    expect(rules.stdout).toContain('600s');

    const inUse = await cli(['alerts', 'channels', 'delete', channel.id]);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('alert_channel_in_use');
    expect((await cli(['alerts', 'rules', 'delete', ruleId])).code).toBe(0);
    expect((await cli(['alerts', 'channels', 'update', channel.id, '--name', 'ops 2', '--json'])).code).toBe(0);
    expect((await cli(['alerts', 'channels', 'delete', channel.id])).stdout).toContain(`deleted ${channel.id}`);

    const notes = await cli(['alerts', 'notifications', '--json']);
    expect(notes.code, notes.stderr).toBe(0);
    expect(JSON.parse(notes.stdout)).toEqual({ data: [] });
  });

  it('refuses bad input before and at the server', async () => {
    const kind = await cli(['alerts', 'channels', 'create', '--name', 'x', '--kind', 'pager']);
    expect(kind.code).not.toBe(0);
    const blocked = await cli(['alerts', 'channels', 'create', '--name', 'x', '--kind', 'webhook', '--url', 'http://10.9.9.9/x']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('blocked_address');
    const unknown = await cli(['alerts', 'rules', 'create', '--name', 'x', '--kind', 'endpoint_disabled', '--channel', 'ach_nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown_alert_channel');
    const urlTwice = await cli(['alerts', 'channels', 'create', '--name', 'x', '--kind', 'slack', '--url', hookUrl, '--url-env', 'PATH']);
    expect(urlTwice.code).not.toBe(0);
    expect(urlTwice.stderr).toMatch(/not both/);
    const noUrl = await cli(['alerts', 'channels', 'create', '--name', 'x', '--kind', 'slack', '--url-env', 'NOT_SET_ANYWHERE']);
    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain('NOT_SET_ANYWHERE');
    const noEnv = await cli(['alerts', 'channels', 'create', '--name', 'x', '--kind', 'email', '--host', 'h', '--from', 'a@b.c', '--to', 'c@d.e', '--password-env', 'NOT_SET_ANYWHERE']);
    expect(noEnv.code).not.toBe(0);
    expect(noEnv.stderr).toContain('NOT_SET_ANYWHERE');
  });
});
