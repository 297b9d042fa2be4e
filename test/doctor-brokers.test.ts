// The doctor speaks each broker protocol: address, dns, tcp, tls, then the broker step (handshake,
// auth, a confirmed test publish) against the real RabbitMQ, NATS JetStream, Mosquitto and Redis,
// with the code and fix of each failure.

import { randomBytes } from 'node:crypto';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

const run = randomBytes(4).toString('hex');
const STREAM = `HOOKDDOC_${run}`;
let h: Harness;
let nc: NatsConnection;

beforeAll(async () => {
  h = await createHarness();
  nc = await natsConnect({ servers: '127.0.0.1:4222' });
  await (await nc.jetstreamManager()).streams.add({ name: STREAM, subjects: [`hookddoc.${run}`] });
}, 30_000);
afterAll(async () => {
  await h?.close();
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(STREAM).catch(() => undefined);
    await nc.close();
  }
});

type Check = { step: string; status: string; code: string; message: string };
const byStep = (checks: Check[]): Record<string, Check> => Object.fromEntries(checks.map((c) => [c.step, c]));

async function diagnose(body: Record<string, unknown>): Promise<{ ok: boolean; checks: Check[]; diagnosis: { code: string; fix: string } }> {
  const res = await h.request('POST', '/v1/diagnose', { body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

describe('doctor: broker destinations', () => {
  it.each([
    ['RabbitMQ', 'amqp://127.0.0.1:5672/?exchange=amq.topic&routingKey=hookd.doctor.nobody', 'broker_no_route'],
    ['RabbitMQ default exchange to a missing queue', `amqp://127.0.0.1:5672/?routingKey=hookd-nobody-${run}`, 'broker_no_route'],
    ['NATS', `nats://127.0.0.1:4222/hookddoc.${run}`, 'ok'],
    ['NATS, no stream', `nats://127.0.0.1:4222/hookddoc.none.${run}`, 'broker_no_route'],
    ['Redis', `redis://127.0.0.1:6379?stream=hookd-doctor:${run}&maxLen=10`, 'ok'],
    // Mosquitto answers PUBACK 0 even without subscribers (reason 16 turns the step into a warning).
    ['MQTT', `mqtt://127.0.0.1:1883/hookd-doctor/${run}`, 'ok'],
  ])('%s: %s -> %s', async (_name, url, code) => {
    const report = await diagnose({ url });
    const steps = byStep(report.checks);
    expect(steps.address!.status).toBe('pass');
    expect(steps.tcp!.status).toBe('pass');
    expect(steps.tls!.code).toBe('plain_http'); // plain broker URL: warned like plain HTTP
    expect(steps.http!.status).toBe('skip');
    if (code === 'ok') {
      expect(steps.broker!.status, steps.broker!.message).toBe('pass');
      expect(steps.auth!.status).toBe('pass');
      expect(report.diagnosis.code).toBe('plain_http');
    } else {
      expect(steps.broker!.code, steps.broker!.message).toBe(code);
      expect(report.diagnosis.code).toBe(code);
      expect(report.diagnosis.fix.length).toBeGreaterThan(10);
    }
  });

  it('wrong credentials: the broker step and the auth step fail with broker_auth_failed and a fix', async () => {
    const report = await diagnose({ url: 'amqp://127.0.0.1:5672/?exchange=amq.topic&routingKey=x', auth: { type: 'basic', username: 'guest', password: 'nope' } });
    const steps = byStep(report.checks);
    expect(steps.broker!.code).toBe('broker_auth_failed');
    expect(steps.auth!.code).toBe('broker_auth_failed');
    expect(report.diagnosis.code).toBe('broker_auth_failed');
    expect(JSON.stringify(report)).not.toContain('nope');
  });

  it('nothing listening: tcp fails with connection_refused and the broker step is skipped', async () => {
    const report = await diagnose({ url: 'redis://127.0.0.1:1?stream=x' });
    const steps = byStep(report.checks);
    expect(steps.tcp!.code).toBe('connection_refused');
    expect(steps.broker!.status).toBe('skip');
    expect(report.diagnosis.code).toBe('connection_refused');
  });

  it('an invalid broker URL fails the address step with invalid_url', async () => {
    const report = await diagnose({ url: 'nats://127.0.0.1:4222/' });
    expect(byStep(report.checks).address!.code).toBe('invalid_url');
  });

  it('an endpoint with a broker URL is diagnosed with its sealed credentials', async () => {
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: `redis://127.0.0.1:6379?stream=hookd-doctor:${run}`, auth: { type: 'basic', username: 'default', password: 'unused-by-redis-without-acl' } } });
    expect(ep.status, ep.text).toBe(201);
    const res = await h.request('POST', `/v1/endpoints/${ep.body.id}/diagnose`);
    expect(res.status, res.text).toBe(200);
    const steps = byStep(res.body.checks);
    // Redis without a password set refuses AUTH with a password: the doctor names it.
    expect(['ok', 'broker_auth_failed']).toContain(steps.broker!.code);
    expect(res.text).not.toContain('unused-by-redis-without-acl');
  });
});
