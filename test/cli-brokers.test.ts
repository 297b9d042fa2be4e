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
