// Every secret the CLI takes as a flag can come from an environment variable instead (`--x-env VAR`),
// so it stays out of shell history and ps. The built CLI against a real server and a real receiver:
// what the variable held is what goes on the wire, and the refusals name the flag or the variable.

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../src/signature/index.js';
import { runCli, startServer, type TestServer } from './cli-helpers.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let server: TestServer;
let receiver: Receiver;
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...server.env, ...env }, { timeoutMs: 30_000 });

beforeAll(async () => {
  server = await startServer();
  receiver = await startReceiver();
}, 30_000);
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

describe('CLI: secrets from the environment', () => {
  it('endpoints create/update/rotate-secret: auth and signing secrets read from variables reach the wire', async () => {
    const secret = `whsec_${Buffer.from('an-env-signing-secret-32-bytes!!').toString('base64')}`;
    const created = await cli(['endpoints', 'create', receiver.url, '--auth-bearer-env', 'T_BEARER', '--secret-env', 'T_SECRET', '--json'], { T_BEARER: 'env-bearer-token', T_SECRET: secret });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).not.toContain('env-bearer-token');
    const ep = JSON.parse(created.stdout) as { id: string };

    const tested = await cli(['endpoints', 'test', ep.id]);
    expect(tested.code, tested.stderr).toBe(0);
    const [first] = await receiver.waitFor(1);
    expect(first!.headers.authorization).toBe('Bearer env-bearer-token');
    // Signed with the secret from the variable (Standard Webhooks: HMAC-SHA256 of id.timestamp.body).
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const signed = `${first!.headers['webhook-id']}.${first!.headers['webhook-timestamp']}.${first!.body.toString()}`;
    expect(first!.headers['webhook-signature']).toContain(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);

    const updated = await cli(['endpoints', 'update', ep.id, '--auth-basic-env', 'T_BASIC', '--json'], { T_BASIC: 'panel:env-basic-pw' });
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).not.toContain('env-basic-pw');
    expect((await cli(['endpoints', 'test', ep.id])).code).toBe(0);
    const [, second] = await receiver.waitFor(2);
    expect(second!.headers.authorization).toBe(`Basic ${Buffer.from('panel:env-basic-pw').toString('base64')}`);

    const headerAuth = await cli(['endpoints', 'update', ep.id, '--auth-header-env', 'T_HEADER'], { T_HEADER: 'X-Api-Key: env-api-key' });
    expect(headerAuth.code, headerAuth.stderr).toBe(0);
    expect((await cli(['endpoints', 'test', ep.id])).code).toBe(0);
    const [, , third] = await receiver.waitFor(3);
    expect(third!.headers['x-api-key']).toBe('env-api-key');

    const rotatedTo = `whsec_${Buffer.from('a-rotated-secret-from-the-env!!!').toString('base64')}`;
    const rotated = await cli(['endpoints', 'rotate-secret', ep.id, '--secret-env', 'T_ROTATED', '--json'], { T_ROTATED: rotatedTo });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout).secret).toBe(rotatedTo);
  });

  it('endpoints create/update: the URL and custom headers read from variables, a malformed header refused without echoing it', async () => {
    const other = await startReceiver();
    try {
      const created = await cli(['endpoints', 'create', '--url-env', 'T_URL', '--header-env', 'T_H1', '--header-env', 'T_H2', '-H', 'X-Plain: typed', '--json'], {
        T_URL: receiver.url,
        T_H1: 'X-Key-One: env-one',
        T_H2: 'X-Key-Two: env-two',
      });
      expect(created.code, created.stderr).toBe(0);
      const ep = JSON.parse(created.stdout) as { id: string; url: string };
      expect(ep.url).toBe(receiver.url);
      const before = receiver.requests.length;
      expect((await cli(['endpoints', 'test', ep.id])).code).toBe(0);
      await receiver.waitFor(before + 1);
      const sent = receiver.requests.slice(before).find((r) => r.headers['x-plain'] === 'typed');
      expect(sent?.headers).toMatchObject({ 'x-key-one': 'env-one', 'x-key-two': 'env-two', 'x-plain': 'typed' });

      const moved = await cli(['endpoints', 'update', ep.id, '--url-env', 'T_URL2', '--json'], { T_URL2: other.url });
      expect(moved.code, moved.stderr).toBe(0);
      expect(JSON.parse(moved.stdout).url).toBe(other.url);
    } finally {
      await other.close();
    }
    const malformed = await cli(['endpoints', 'create', receiver.url, '--header-env', 'T_BAD'], { T_BAD: 'no-colon-env-secret' });
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain('--header-env T_BAD');
    expect(malformed.stderr).not.toContain('no-colon-env-secret');
    const badAuth = await cli(['endpoints', 'create', receiver.url, '--auth-header-env', 'T_BAD'], { T_BAD: 'no-colon-env-secret' });
    expect(badAuth.code).not.toBe(0);
    expect(badAuth.stderr).not.toContain('no-colon-env-secret');
    const neither = await cli(['endpoints', 'create']);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give the URL');
    const both = await cli(['endpoints', 'create', receiver.url, '--url-env', 'T_URL'], { T_URL: receiver.url });
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('not both');
  });

  it('sources create: the expected token read from a variable is what ingress checks', async () => {
    const created = await cli(['sources', 'create', '--name', 'env-bearer', '--verify', 'bearer', '--token-env', 'T_TOKEN', '--json'], { T_TOKEN: 'env-ingress-token' });
    expect(created.code, created.stderr).toBe(0);
    const source = JSON.parse(created.stdout) as { ingressUrl: string };
    const post = (token: string) => fetch(source.ingressUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"type":"chat.started"}' });
    expect((await post('env-ingress-token')).status).toBe(202);
    expect((await post('T_TOKEN')).status).toBe(401);

    const basic = await cli(['sources', 'create', '--name', 'env-basic', '--verify', 'basic', '--username', 'u', '--password-env', 'T_PW', '--json'], { T_PW: 'env-ingress-pw' });
    expect(basic.code, basic.stderr).toBe(0);
    const basicUrl = (JSON.parse(basic.stdout) as { ingressUrl: string }).ingressUrl;
    const res = await fetch(basicUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('u:env-ingress-pw').toString('base64')}` }, body: '{"type":"chat.started"}' });
    expect(res.status).toBe(202);
  });

  it('doctor probes a URL with the auth header read from a variable', async () => {
    // Its own receiver: the endpoint above, subscribed to every type, gets the ingress events.
    const probed = await startReceiver();
    try {
      const doctor = await cli(['doctor', probed.url, '--auth-header-env', 'T_PROBE', '--json'], { T_PROBE: 'X-Probe-Key: env-probe-key' });
      expect(doctor.stdout).not.toContain('env-probe-key');
      expect(probed.requests.length).toBeGreaterThan(0);
      expect(probed.requests.every((r) => r.headers['x-probe-key'] === 'env-probe-key')).toBe(true);
    } finally {
      await probed.close();
    }
  });

  it('bin: the signature check secret read from a variable judges the captures', async () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const created = await cli(['bin', '--secret-env', 'T_BIN', '--no-follow', '--json'], { T_BIN: secret });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).not.toContain(secret);
    const bin = JSON.parse(created.stdout.trim().split('\n')[0]!) as { id: string; captureUrl: string };
    const body = '{"type":"chat.started"}';
    const ts = Math.floor(Date.now() / 1000);
    await fetch(bin.captureUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([secret], 'msg_1', ts, body) }, body });
    const requests = await cli(['bin', 'requests', bin.id, '--json']);
    expect(JSON.parse(requests.stdout).data[0]).toMatchObject({ method: 'POST', signature: { ok: true } });
  });

  it('refuses a flag given both ways, and an empty or unset variable, naming it', async () => {
    const both = await cli(['endpoints', 'create', receiver.url, '--auth-bearer', 'x', '--auth-bearer-env', 'PATH']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('give --auth-bearer or --auth-bearer-env, not both');
    const unset = await cli(['sources', 'create', '--name', 'x', '--verify', 'bearer', '--token-env', 'HOOKD_TEST_NOT_SET_ANYWHERE']);
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('--token-env HOOKD_TEST_NOT_SET_ANYWHERE: that environment variable is empty or unset');
    const empty = await cli(['endpoints', 'rotate-secret', 'ep_00000000000000000000000000', '--secret-env', 'T_EMPTY'], { T_EMPTY: '' });
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('--secret-env T_EMPTY');
    const jsonAndFlag = await cli(['sources', 'create', '--name', 'x', '--verify-json', '{"scheme":"bearer","token":"t"}', '--token-env', 'PATH']);
    expect(jsonAndFlag.code).not.toBe(0);
    expect(jsonAndFlag.stderr).toContain('--verify-json is the whole verify object and would leave --token-env unused');
    const twoAuths = await cli(['doctor', receiver.url, '--auth-bearer-env', 'T_A', '--auth-header', 'X-K: v'], { T_A: 'a' });
    expect(twoAuths.code).not.toBe(0);
    expect(twoAuths.stderr).toMatch(/at most one of --auth-bearer/);
  });
});
