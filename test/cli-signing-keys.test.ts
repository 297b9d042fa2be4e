// `hookd signature sign|verify|keygen` with whsk_/whpk_ keys and key sets, and `hookd signing-keys`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { runCli, startServer, type TestServer } from './cli-helpers.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const offline = { NO_COLOR: '1', XDG_CONFIG_HOME: '/nonexistent-hookd-test', HOME: '/nonexistent-hookd-test' };
const now = Math.floor(Date.now() / 1000);
let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  server = await startServer();
  receiver = await startReceiver();
}, 30_000);
afterAll(async () => {
  await server.close();
  await receiver.close();
});

describe('signature with ed25519 keys', () => {
  it('keygen prints a pair; sign with whsk_ gives v1a that node crypto and verify --secret whpk_ accept', async () => {
    const pair = JSON.parse((await runCli(['signature', 'keygen', '--json'], offline)).stdout) as { secretKey: string; publicKey: string };
    expect(pair.secretKey).toMatch(/^whsk_/);
    expect(pair.publicKey).toMatch(/^whpk_/);
    const signed = await runCli(['signature', 'sign', '--secret', pair.secretKey, '--id', 'msg_1', '--timestamp', String(now), '--key-id', 'k1', '--json'], offline, { input: '{"a":1}' });
    expect(signed.code).toBe(0);
    const headers = JSON.parse(signed.stdout) as Record<string, string>;
    expect(headers['webhook-signature']).toMatch(/^v1a,/);
    expect(headers['webhook-key-id']).toBe('k1');
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pair.publicKey.slice(5), 'base64').toString('base64url') };
    expect(nodeVerify(null, Buffer.from(`msg_1.${now}.{"a":1}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(headers['webhook-signature']!.slice(4), 'base64'))).toBe(true);
    const verify = (key: string, input: string) => runCli(['signature', 'verify', '--secret', key, '--id', 'msg_1', '--timestamp', String(now), '--signature', headers['webhook-signature']!], offline, { input });
    const ok = await verify(pair.publicKey, '{"a":1}');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid signature for msg_1');
    expect(ok.stdout).toContain('(v1a)');
    expect((await verify(pair.secretKey, '{"a":1}')).code).toBe(0);
    expect((await verify(pair.publicKey, '{"a":2}')).code).toBe(1);
  }, 30_000);

  it('signs v1 and v1a side by side, refuses a public key for signing and malformed keys (exit 2)', async () => {
    const pair = JSON.parse((await runCli(['signature', 'keygen', '--json'], offline)).stdout) as { secretKey: string; publicKey: string };
    const both = JSON.parse((await runCli(['signature', 'sign', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--secret', pair.secretKey, '--json'], offline, { input: '{}' })).stdout);
    expect(both['webhook-signature'].split(' ').map((s: string) => s.split(',')[0])).toEqual(['v1', 'v1a']);
    expect((await runCli(['signature', 'sign', '--secret', pair.publicKey], offline, { input: '{}' })).code).toBe(2);
    expect((await runCli(['signature', 'sign', '--secret', 'whsk_short'], offline, { input: '{}' })).code).toBe(2);
    expect((await runCli(['signature', 'verify', '--id', 'a', '--timestamp', '1', '--signature', 'v1a,x'], offline, { input: '{}' })).code).toBe(2);
  }, 30_000);
});

describe('against a server', () => {
  it('verify --key-set checks a real ed25519 delivery; signing-keys list and rotate show and move the keys', async () => {
    const env = server.env;
    const ep = await server.harness.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', signing: 'ed25519' } });
    expect(ep.status).toBe(201);
    await server.harness.request('POST', '/v1/events', { body: { type: 'cli.check', data: { n: 1 }, tenant: 'acme' } });
    const [req] = await receiver.waitFor(1);
    const args = ['signature', 'verify', '--key-set', `${server.url}/.well-known/webhooks/jwks.json?tenant=acme`, '--id', req!.headers['webhook-id']!, '--timestamp', req!.headers['webhook-timestamp']!, '--signature', req!.headers['webhook-signature']!, '--key-id', req!.headers['webhook-key-id']!, '--json'];
    const verified = await runCli(args, offline, { input: req!.body });
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, scheme: 'v1a' });
    const otherTenant = await runCli([...args.slice(0, 3), `${server.url}/.well-known/webhooks/jwks.json?tenant=globex`, ...args.slice(4)], offline, { input: req!.body });
    expect(otherTenant.code).toBe(1);

    const list = await runCli(['signing-keys', 'list', '--tenant', 'acme'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(req!.headers['webhook-key-id']);
    expect(list.stdout).toContain('active');
    const rotated = await runCli(['signing-keys', 'rotate', '--tenant', 'acme', '--json'], env);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout).keys.map((k: { state: string }) => k.state)).toEqual(['next', 'retiring']);
    const again = await runCli(['signing-keys', 'rotate', '--tenant', 'acme'], env);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('signing_key_rotation_pending');
  }, 60_000);
});
