// `signature sign|verify` (local, no server) and `doctor` (report table, --json, exit codes), with
// `doctor payload` on a file missing a comma (line and column), locally and against the server.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hookd-cli-sig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const offline = { NO_COLOR: '1', XDG_CONFIG_HOME: '/nonexistent-hookd-test', HOME: '/nonexistent-hookd-test' };

describe('signature', () => {
  it('signs a file and verifies it back (exit 0), with the headers the standardwebhooks library accepts', async () => {
    const body = join(dir, 'body.json');
    writeFileSync(body, '{"type":"chat.started","data":{"id":1}}\n');
    const now = Math.floor(Date.now() / 1000);
    const signed = await runCli(['signature', 'sign', body, '--secret', SECRET, '--id', 'msg_1', '--timestamp', String(now), '--json'], offline);
    expect(signed.code, signed.stderr).toBe(0);
    const headers = JSON.parse(signed.stdout);
    expect(headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(now) });
    expect(() => new Webhook(SECRET).verify('{"type":"chat.started","data":{"id":1}}\n', headers)).not.toThrow();

    const verified = await runCli(['signature', 'verify', body, '--secret', SECRET, '--id', 'msg_1', '--timestamp', String(now), '--signature', headers['webhook-signature']], offline);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('valid signature for msg_1');
  });

  it('reads the body from stdin, and exits 1 when the body was altered or the secret is wrong', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signed = await runCli(['signature', 'sign', '--secret', SECRET, '--timestamp', String(now)], offline, { input: 'hello' });
    expect(signed.code).toBe(0);
    const sig = /^webhook-signature: (.+)$/m.exec(signed.stdout)![1]!;
    const id = /^webhook-id: (.+)$/m.exec(signed.stdout)![1]!;
    expect(id).toMatch(/^msg_/);
    const args = ['signature', 'verify', '-', '--id', id, '--timestamp', String(now), '--signature', sig];
    expect((await runCli([...args, '--secret', SECRET], offline, { input: 'hello' })).code).toBe(0);
    const altered = await runCli([...args, '--secret', SECRET, '--json'], offline, { input: 'hellO' });
    expect(altered.code).toBe(1);
    expect(JSON.parse(altered.stdout)).toMatchObject({ valid: false, code: 'signature_invalid' });
    expect((await runCli([...args, '--secret', 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], offline, { input: 'hello' })).code).toBe(1);
  });

  it('rejects an old timestamp unless --tolerance allows it, and a malformed secret as usage', async () => {
    const old = 1_700_000_000;
    const signed = JSON.parse((await runCli(['signature', 'sign', '--secret', SECRET, '--id', 'm', '--timestamp', String(old), '--json'], offline, { input: '{}' })).stdout);
    const args = ['signature', 'verify', '--secret', SECRET, '--id', 'm', '--timestamp', String(old), '--signature', signed['webhook-signature']];
    const stale = await runCli(args, offline, { input: '{}' });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('timestamp_out_of_tolerance');
    expect((await runCli([...args, '--tolerance', '315360000'], offline, { input: '{}' })).code).toBe(0);
    expect((await runCli(['signature', 'sign', '--secret', 'not-a-secret'], offline, { input: '{}' })).code).toBe(2);
  });
});

describe('doctor', () => {
  let server: TestServer;
  let app: Receiver;
  let locked: Receiver;

  beforeAll(async () => {
    server = await startServer();
    app = await startReceiver();
    locked = await startReceiver((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer right' ? 204 : 401, { 'www-authenticate': 'Bearer' });
      res.end();
    });
  });
  afterAll(async () => {
    await app?.close();
    await locked?.close();
    await server?.close();
  });

  const missingComma = '{\n  "conversationId": "conv_1"\n  "channel": "web_chat"\n}\n';

  it('doctor payload: a missing comma is reported with its line and column, exit 1 (no server needed)', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, missingComma);
    const res = await runCli(['doctor', 'payload', file], offline);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^payload\s+FAIL\s+invalid_json\s+.*line 3, column 3/m);
    expect(res.stdout).toContain('Diagnosis: invalid_json');
    expect(res.stdout).toMatch(/^Fix: /m);

    const json = await runCli(['doctor', 'payload', '-', '--json'], offline, { input: missingComma });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).checks[0].detail).toMatchObject({ line: 3, column: 3 });

    const good = join(dir, 'good.json');
    writeFileSync(good, '{"a":1}');
    expect((await runCli(['doctor', 'payload', good], offline)).code).toBe(0);
  });

  it("doctor payload --type checks the catalogue's schema on the server and lists every problem", async () => {
    await server.harness.request('PUT', '/v1/event-types/chat.started', {
      body: { schema: { type: 'object', required: ['conversationId', 'channel'], properties: { conversationId: { type: 'string' }, channel: { type: 'string' } } } },
    });
    const file = join(dir, 'partial.json');
    writeFileSync(file, '{"conversationId": 42}');
    const res = await runCli(['doctor', 'payload', file, '--type', 'chat.started'], server.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('schema_mismatch');
    expect(res.stdout).toMatch(/- \/channel .*required/);
    expect(res.stdout).toMatch(/- \/conversationId .*string/);
    // --type without a server is a configuration problem.
    expect((await runCli(['doctor', 'payload', file, '--type', 'chat.started'], offline)).code).toBe(2);
  });

  it('doctor <url> renders the table and exits 0 when no check fails', async () => {
    const res = await runCli(['doctor', app.url], server.env);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^STEP\s+RESULT\s+CODE\s+FINDING/m);
    for (const step of ['address', 'dns', 'tcp', 'tls', 'http', 'auth']) expect(res.stdout).toMatch(new RegExp(`^${step}\\s+(pass|warn|skip)`, 'm'));
    expect(res.stdout).toMatch(/^tls\s+warn\s+plain_http/m);
  });

  it('doctor ep_... diagnoses http_unauthorized with the fix, exit 1, also as JSON', async () => {
    const created = await server.harness.request('POST', '/v1/endpoints', { body: { url: locked.url, eventTypes: ['agent.assigned'], retrySchedule: [0], auth: { type: 'bearer', token: 'wrong' } } });
    const id = created.body.id as string;
    // An event was published and attempted, so the event step passes and auth is the first failure.
    await server.harness.request('POST', '/v1/events', { body: { type: 'agent.assigned', data: { agent: 'Sam' } } });
    await locked.waitFor(1);
    const res = await runCli(['doctor', id], server.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^auth\s+FAIL\s+http_unauthorized/m);
    expect(res.stdout).toContain('Diagnosis: http_unauthorized');
    expect(res.stdout).toMatch(/^Fix: .+/m);
    const json = await runCli(['doctor', id, '--json'], server.env);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, diagnosis: { code: 'http_unauthorized' } });
    expect(report.checks.map((c: { step: string }) => c.step)).toEqual(['event', 'address', 'dns', 'tcp', 'tls', 'http', 'auth', 'payload', 'latency', 'logs']);

    expect((await runCli(['doctor', 'not a url'], server.env)).code).toBe(2);
    expect((await runCli(['doctor', 'ep_missing'], server.env)).code).toBe(1);
  });
});
