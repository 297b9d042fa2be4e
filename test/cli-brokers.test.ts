// The CLI creates broker endpoints and runs the broker doctor through the existing commands (the
// built CLI, a real server, the real Redis and RabbitMQ). Credentials given with --auth-basic are
// sealed and never printed back.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, type TestServer } from './cli-helpers.js';

let server: TestServer;
const run = randomBytes(4).toString('hex');
const stream = `hookd-cli:${run}`;
const cli = (args: string[]) => runCli(args, server.env, { timeoutMs: 30_000 });

beforeAll(async () => {
  server = await startServer();
}, 30_000);
afterAll(async () => {
  await server?.close();
  const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await r.connect();
  await r.del(stream);
  r.disconnect();
});

describe('CLI: broker endpoints', () => {
  it('endpoints create with a broker URL and --auth-basic; doctor runs the broker step', async () => {
    const created = await cli(['endpoints', 'create', 'amqp://127.0.0.1:5672/?exchange=amq.topic&routingKey=hookd.cli', '--auth-basic', 'guest:guest', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const ep = JSON.parse(created.stdout) as { id: string; url: string; auth: { type: string } };
    expect(ep.url).toBe('amqp://127.0.0.1:5672/?exchange=amq.topic&routingKey=hookd.cli');
    expect(ep.auth.type).toBe('basic');
    expect(created.stdout).not.toContain('guest:guest');
    const doctor = await cli(['doctor', ep.id, '--json']);
    const report = JSON.parse(doctor.stdout) as { checks: { step: string; code: string }[] };
    // amq.topic with no queue bound to hookd.cli: the mandatory test publish comes back unroutable.
    expect(report.checks.find((c) => c.step === 'broker')?.code).toBe('broker_no_route');
  });

  it('doctor on an ad-hoc Redis stream URL passes the broker step', async () => {
    const doctor = await cli(['doctor', `redis://127.0.0.1:6379?stream=${stream}&maxLen=10`, '--json']);
    const report = JSON.parse(doctor.stdout) as { checks: { step: string; status: string }[] };
    expect(report.checks.find((c) => c.step === 'broker')?.status).toBe('pass');
  });

  it('a URL with credentials in it is refused with the reason', async () => {
    const res = await cli(['endpoints', 'create', 'redis://user:pw@127.0.0.1:6379?stream=x']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/credentials/);
  });
});

describe('CLI: consumed sources', () => {
  const type = `cli.consumed.${run}`;

  it('sources create --consume-url seals the credentials, consumes, and get/list/update show and change it', async () => {
    const url = `redis://127.0.0.1:6379/0?stream=${encodeURIComponent(stream)}&group=hookd-cli&start=0`;
    const created = await cli(['sources', 'create', '--name', 'cli-consumed', '--verify', 'none', '--event-type', type, '--consume-url', url, '--consume-password', 'redis-secret-pw', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).not.toContain('redis-secret-pw');
    const source = JSON.parse(created.stdout) as { id: string; consume: { url: string; username: string | null; password: string | null } };
    expect(source.consume).toEqual({ url, username: null, password: '[redacted]' });

    // The server consumes it: an entry added to the stream is logged as an accepted request.
    await server.harness.runtime.consumers!.resync();
    const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await r.connect();
    await r.call('XADD', stream, '*', 'body', JSON.stringify({ n: 1 }));
    r.disconnect();
    let logged = '';
    for (let i = 0; i < 100 && !logged.includes('accepted'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      logged = (await cli(['sources', 'requests', source.id])).stdout;
    }
    expect(logged).toContain('accepted');

    const shown = await cli(['sources', 'get', source.id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(url);
    expect(shown.stdout).toContain('[redacted]');
    expect(shown.stdout).not.toContain('redis-secret-pw');
    const listed = await cli(['sources', 'list']);
    expect(listed.stdout).toMatch(/CONSUMES/);
    expect(listed.stdout).toContain(url);

    const mqttUrl = `mqtt://127.0.0.1:1883/hookd-cli/${run}/%23?client=hookd-cli-${run}&expiry=60`;
    const updated = await cli(['sources', 'update', source.id, '--consume-url', mqttUrl, '--consume-username', 'panel', '--consume-password', 'mqtt-secret-pw', '--json']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).not.toContain('mqtt-secret-pw');
    expect(JSON.parse(updated.stdout).consume).toEqual({ url: mqttUrl, username: 'panel', password: '[redacted]' });
    // The password from the environment instead of the command line (shell history, ps).
    const fromEnv = await runCli(['sources', 'update', source.id, '--consume-url', mqttUrl, '--consume-username', 'panel', '--consume-password-env', 'HOOKD_TEST_MQTT_PW', '--json'], { ...server.env, HOOKD_TEST_MQTT_PW: 'mqtt-env-pw' }, { timeoutMs: 30_000 });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).not.toContain('mqtt-env-pw');
    expect(JSON.parse(fromEnv.stdout).consume).toEqual({ url: mqttUrl, username: 'panel', password: '[redacted]' });
    const off = await cli(['sources', 'update', source.id, '--no-consume', '--json']);
    expect(off.code, off.stderr).toBe(0);
    expect(JSON.parse(off.stdout).consume).toBeNull();
  });

  it('refuses contradicting or incomplete consume flags, and a bad consume URL with its reason', async () => {
    const lone = await cli(['sources', 'create', '--name', 'x', '--verify', 'none', '--consume-password', 'p']);
    expect(lone.code).not.toBe(0);
    expect(lone.stderr).toMatch(/go with --consume-url/);
    const unset = await cli(['sources', 'create', '--name', 'x', '--verify', 'none', '--consume-url', 'redis://127.0.0.1/?stream=s&group=g', '--consume-password-env', 'HOOKD_TEST_NOT_SET_ANYWHERE']);
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('HOOKD_TEST_NOT_SET_ANYWHERE');
    const twice = await cli(['sources', 'create', '--name', 'x', '--verify', 'none', '--consume-url', 'redis://127.0.0.1/?stream=s&group=g', '--consume-password', 'p', '--consume-password-env', 'PATH']);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/not both/);
    const both = await cli(['sources', 'update', 'src_00000000000000000000000000000000', '--no-consume', '--consume-url', 'redis://127.0.0.1/?stream=s&group=g']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/contradict/);
    const nothing = await cli(['sources', 'update', 'src_00000000000000000000000000000000']);
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toMatch(/nothing to change/);
    const bad = await cli(['sources', 'create', '--name', 'x', '--verify', 'none', '--consume-url', 'mqtt://127.0.0.1:1883/a']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/stable client id/);
  });
});
