// Broker destinations end to end against the real servers on this machine (RabbitMQ, NATS
// JetStream, Mosquitto, Redis; .ci/run starts them when down): an endpoint created through the API
// with a broker URL gets the same signed bytes an HTTP endpoint would, confirmed by the broker, and
// every broker fault becomes an attempt with its own code, retried on the endpoint's schedule.

import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { connectAsync, type MqttClient } from 'mqtt';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../src/signature/index.js';
import { createHarness, type Harness } from './helpers/harness.js';

const run = randomBytes(4).toString('hex');
const secret = `whsec_${randomBytes(32).toString('base64')}`;
let h: Harness;
let amqpConn: amqp.ChannelModel;
let amqpChannel: amqp.Channel;
let nc: NatsConnection;
let mqttSub: MqttClient;
let redis: Redis;
const amqpSeen: amqp.ConsumeMessage[] = [];
const mqttSeen: { topic: string; payload: Buffer; props: Record<string, string | string[]> }[] = [];

const EXCHANGE = `hookd-test-${run}`;
const QUEUE = `hookd-test-${run}`;
const STREAM = `HOOKDTEST_${run}`;
const SUBJECT = `hookdtest.${run}`;
const TOPIC = `hookd-test/${run}`;
const REDIS_STREAM = `hookd-test:${run}`;

beforeAll(async () => {
  h = await createHarness();
  amqpConn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  amqpChannel = await amqpConn.createChannel();
  await amqpChannel.assertExchange(EXCHANGE, 'direct', { durable: false, autoDelete: false });
  await amqpChannel.assertQueue(QUEUE, { durable: false, exclusive: true });
  await amqpChannel.bindQueue(QUEUE, EXCHANGE, 'orders');
  await amqpChannel.consume(QUEUE, (m) => m && amqpSeen.push(m), { noAck: true });
  nc = await natsConnect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: STREAM, subjects: [SUBJECT, `${SUBJECT}.>`] });
  mqttSub = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5, clientId: `hookd-test-${run}` });
  mqttSub.on('message', (topic, payload, packet) => mqttSeen.push({ topic, payload, props: (packet.properties?.userProperties ?? {}) as Record<string, string | string[]> }));
  await mqttSub.subscribeAsync(`${TOPIC}/#`, { qos: 1 });
  await mqttSub.subscribeAsync(TOPIC, { qos: 1 });
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
}, 30_000);

afterAll(async () => {
  await h?.close();
  await amqpChannel?.deleteExchange(EXCHANGE).catch(() => undefined);
  await amqpConn?.close().catch(() => undefined);
  if (nc) {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(STREAM).catch(() => undefined);
    await nc.close();
  }
  await mqttSub?.endAsync();
  if (redis) {
    await redis.del(REDIS_STREAM);
    redis.disconnect();
  }
});

async function eventually<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function createEndpoint(url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/v1/endpoints', { body: { url, secret, eventTypes: [`brokers.${run}.${Object.keys(endpointsByType).length}`], ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}
const endpointsByType: Record<string, string> = {};

/** A dedicated event type per endpoint, so each test's publishes reach only its endpoint. */
async function endpointFor(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; type: string }> {
  const type = `brokers.${run}.${Object.keys(endpointsByType).length}`;
  const id = await createEndpoint(url, extra);
  endpointsByType[type] = id;
  return { id, type };
}

async function publish(type: string, data: unknown): Promise<{ eventId: string; deliveryId: string }> {
  const res = await h.request('POST', '/v1/events', { body: { type, data } });
  expect(res.status, res.text).toBe(202);
  const dl = await h.request('GET', `/v1/events/${res.body.id}/deliveries`);
  return { eventId: res.body.id, deliveryId: dl.body.data[0].id };
}

async function finalDelivery(deliveryId: string, status = 'succeeded'): Promise<any> {
  try {
    return await eventually(async () => {
      const d = await h.request('GET', `/v1/deliveries/${deliveryId}`);
      return d.body.status === status ? d.body : null;
    });
  } catch (err) {
    const d = await h.request('GET', `/v1/deliveries/${deliveryId}`);
    throw new Error(`delivery not ${status}: ${d.text}`, { cause: err });
  }
}

async function attemptsOf(deliveryId: string, atLeast = 1): Promise<any[]> {
  return eventually(async () => {
    const d = await h.request('GET', `/v1/deliveries/${deliveryId}`);
    return d.body.attempts?.length >= atLeast ? d.body.attempts : null;
  });
}

function verify(body: Buffer, headers: Record<string, string>): boolean {
  return verifyStandardWebhook({ body, secrets: [secret], headers }).ok;
}

describe('broker destinations: the same signed bytes, confirmed by the broker', () => {
  it('RabbitMQ: exchange + routing key, headers as AMQP headers, publisher confirm', async () => {
    const { type } = await endpointFor(`amqp://127.0.0.1:5672/?exchange=${EXCHANGE}&routingKey=orders`, { auth: { type: 'basic', username: 'guest', password: 'guest' } });
    const { eventId, deliveryId } = await publish(type, { order: 1 });
    await finalDelivery(deliveryId);
    const msg = await eventually(() => amqpSeen.find((m) => String(m.properties.headers?.["webhook-id"]) === eventId));
    const headers = Object.fromEntries(Object.entries(msg.properties.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(verify(msg.content, headers)).toBe(true);
    expect(JSON.parse(msg.content.toString()).data).toEqual({ order: 1 });
    expect(msg.properties.messageId).toBe(deliveryId);
    expect(msg.properties.deliveryMode).toBe(2);
    // The credentials were used to connect, never sent as a header.
    expect(headers.authorization).toBeUndefined();
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt.code).toBe('ok');
    expect(attempt.message).toMatch(/confirmed by RabbitMQ/);
  });

  it('NATS JetStream: subject, headers as NATS headers, Nats-Msg-Id = delivery id, stream ack', async () => {
    const { type } = await endpointFor(`nats://127.0.0.1:4222/${SUBJECT}`);
    const { eventId, deliveryId } = await publish(type, { order: 2 });
    await finalDelivery(deliveryId);
    const jsm = await nc.jetstreamManager();
    const stored = await jsm.streams.getMessage(STREAM, { last_by_subj: SUBJECT });
    const headers: Record<string, string> = {};
    for (const [k, v] of stored.header) headers[k] = v[0]!;
    expect(headers['webhook-id']).toBe(eventId);
    expect(headers['Nats-Msg-Id']).toBe(deliveryId);
    expect(verify(Buffer.from(stored.data), headers)).toBe(true);
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt.message).toMatch(new RegExp(`JetStream stream "${STREAM}" seq \\d+`));
  });

  it('MQTT 5: topic, QoS 1 PUBACK, headers as user properties', async () => {
    const { type } = await endpointFor(`mqtt://127.0.0.1:1883/${TOPIC}`);
    const { eventId, deliveryId } = await publish(type, { order: 3 });
    await finalDelivery(deliveryId);
    const msg = await eventually(() => mqttSeen.find((m) => m.props['webhook-id'] === eventId));
    expect(msg.topic).toBe(TOPIC);
    const headers = Object.fromEntries(Object.entries(msg.props).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
    expect(verify(msg.payload, headers)).toBe(true);
  });

  it('Redis Streams: XADD with MAXLEN ~, headers as fields, body last', async () => {
    const { type } = await endpointFor(`redis://127.0.0.1:6379/0?stream=${encodeURIComponent(REDIS_STREAM)}&maxLen=1000`);
    const { eventId, deliveryId } = await publish(type, { order: 4 });
    await finalDelivery(deliveryId);
    const entries = (await redis.xrangeBuffer(REDIS_STREAM, '-', '+')) as [Buffer, Buffer[]][];
    const entry = entries.map(([, f]) => f).find((f) => f.some((b, i) => i % 2 === 1 && b.toString() === eventId))!;
    const fields: Record<string, Buffer> = {};
    for (let i = 0; i < entry.length; i += 2) fields[entry[i]!.toString()] = entry[i + 1]!;
    const headers = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'body').map(([k, v]) => [k, v.toString()]));
    expect(headers['hookd-message-id']).toBe(deliveryId);
    expect(verify(fields.body!, headers)).toBe(true);
    const [attempt] = await attemptsOf(deliveryId);
    expect(attempt.message).toMatch(/^XADD hookd-test:\w+ \d+-\d+$/);
  });
});

describe('broker faults become attempts with their own codes and are retried', () => {
  const cases: [string, string, Record<string, unknown>?][] = [
    ['RabbitMQ unknown exchange', `amqp://127.0.0.1:5672/?exchange=hookd-missing-${run}&routingKey=x`],
    ['RabbitMQ routing key nobody binds', `amqp://127.0.0.1:5672/?exchange=${EXCHANGE}&routingKey=unbound`],
    ['NATS subject no stream covers', `nats://127.0.0.1:4222/hookd.nostream.${run}`],
    ['Redis stream that does not exist (mkstream=false)', `redis://127.0.0.1:6379?stream=hookd-missing-${run}&mkstream=false`],
  ];
  for (const [name, url] of cases) {
    it(`${name}: broker_no_route`, async () => {
      const { type } = await endpointFor(url, { retrySchedule: [0, 0] });
      const { deliveryId } = await publish(type, { n: 1 });
      const attempts = await attemptsOf(deliveryId, 2);
      expect(attempts.map((a) => a.code)).toEqual(['broker_no_route', 'broker_no_route']);
      await finalDelivery(deliveryId, 'failed');
    });
  }

  it('wrong credentials: broker_auth_failed (RabbitMQ, Redis)', async () => {
    const rabbit = await endpointFor(`amqp://127.0.0.1:5672/?exchange=${EXCHANGE}&routingKey=orders`, { retrySchedule: [0], auth: { type: 'basic', username: 'guest', password: 'wrong' } });
    const red = await endpointFor(`redis://127.0.0.1:6379?stream=${REDIS_STREAM}`, { retrySchedule: [0], auth: { type: 'basic', username: 'nobody', password: 'wrong' } });
    const a = await publish(rabbit.type, {});
    const b = await publish(red.type, {});
    expect((await attemptsOf(a.deliveryId))[0].code).toBe('broker_auth_failed');
    expect((await attemptsOf(b.deliveryId))[0].code).toBe('broker_auth_failed');
  });

  it('nothing listening: connection_refused on every protocol', async () => {
    const urls = ['amqp://127.0.0.1:1/?exchange=x', 'nats://127.0.0.1:1/x', 'mqtt://127.0.0.1:1/x', 'redis://127.0.0.1:1?stream=x'];
    const deliveries = [];
    for (const url of urls) deliveries.push((await publish((await endpointFor(url, { retrySchedule: [0] })).type, {})).deliveryId);
    for (const id of deliveries) expect((await attemptsOf(id))[0].code).toBe('connection_refused');
  });

  it('a message larger than the broker takes: message_too_large (NATS max_payload)', async () => {
    const info = nc.info!;
    const { type } = await endpointFor(`nats://127.0.0.1:4222/${SUBJECT}`, { retrySchedule: [0] });
    const res = await h.request('POST', '/v1/events', { body: { type, data: { blob: 'x'.repeat(info.max_payload + 10) } } });
    if (res.status !== 202) return; // the API's own body limit is lower than max_payload here: nothing to test
    const dl = await h.request('GET', `/v1/events/${res.body.id}/deliveries`);
    expect((await attemptsOf(dl.body.data[0].id))[0].code).toBe('message_too_large');
  });
});

describe('ordering key: mapped onto each broker’s own ordering hint', () => {
  const body = Buffer.from('{"type":"t","timestamp":"2026-01-01T00:00:00.000Z","data":{}}');
  const send = (url: string) =>
    h.runtime.sender.send({ url, headers: { 'webhook-id': `evt_ord_${run}`, 'content-type': 'application/json' }, body, timeoutMs: 5_000, connectTimeoutMs: 2_000, maxResponseBytes: 1024, messageId: `dlv_ord_${run}`, orderingKey: 'customer/42' });

  it('AMQP header, NATS subject token, MQTT topic suffix, Redis field', async () => {
    const [a, n, m, r] = await Promise.all([
      send(`amqp://127.0.0.1:5672/?exchange=${EXCHANGE}&routingKey=orders`),
      send(`nats://127.0.0.1:4222/${SUBJECT}`),
      send(`mqtt://127.0.0.1:1883/${TOPIC}`),
      send(`redis://127.0.0.1:6379?stream=${REDIS_STREAM}`),
    ]);
    for (const result of [a, n, m, r]) expect(result.confirmed, result.errorMessage ?? '').toBe(true);
    const amqpMsg = await eventually(() => amqpSeen.find((x) => x.properties.messageId === `dlv_ord_${run}`));
    expect(String(amqpMsg.properties.headers?.['hookd-ordering-key'])).toBe('customer/42');
    const jsm = await nc.jetstreamManager();
    const stored = await jsm.streams.getMessage(STREAM, { last_by_subj: `${SUBJECT}.customer_42` });
    expect(stored.header.get('hookd-ordering-key')).toBe('customer/42');
    const mq = await eventually(() => mqttSeen.find((x) => x.topic === `${TOPIC}/customer_42`));
    expect(mq.props['hookd-ordering-key']).toBe('customer/42');
    const entries = (await redis.xrange(REDIS_STREAM, '-', '+')) as [string, string[]][];
    expect(entries.some(([, f]) => f.includes('hookd-ordering-key') && f[f.indexOf('hookd-ordering-key') + 1] === 'customer/42')).toBe(true);
  });
});

describe('ordered delivery holds end to end to a broker', () => {
  it('events published with ordering keys reach a Redis stream in publish order per key, each entry naming its key', async () => {
    const stream = `${REDIS_STREAM}:ordered`;
    const { type } = await endpointFor(`redis://127.0.0.1:6379?stream=${encodeURIComponent(stream)}`);
    const keys = ['chat/1', 'chat/2', 'chat/3'];
    const events = Array.from({ length: 30 }, (_, n) => ({ type, data: { n }, orderingKey: keys[n % 3] }));
    const res = await h.request('POST', '/v1/events/batch', { body: { events } });
    expect(res.status, res.text).toBe(202);
    try {
      const entries = await eventually(async () => {
        const got = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
        return got.length >= 30 ? got : null;
      }, 30_000);
      const field = (f: string[], name: string) => f[f.indexOf(name) + 1];
      const perKey = new Map<string, number[]>();
      for (const [, f] of entries) {
        const key = field(f, 'hookd-ordering-key')!;
        const n = (JSON.parse(field(f, 'body')!) as { data: { n: number } }).data.n;
        perKey.set(key, [...(perKey.get(key) ?? []), n]);
      }
      expect([...perKey.keys()].sort()).toEqual(keys);
      for (const [i, key] of keys.entries()) expect(perKey.get(key), key).toEqual(Array.from({ length: 10 }, (_, j) => i + 3 * j));
    } finally {
      await redis.del(stream);
    }
  }, 40_000);
});

describe('endpoint URLs: validated at create time, credentials only as sealed auth', () => {
  it.each([
    ['amqp://guest:guest@127.0.0.1:5672/?exchange=x', 'invalid_url'],
    ['amqp://127.0.0.1:5672/', 'invalid_url'],
    ['amqp://127.0.0.1:5672/?exchange=x&routingkey=typo', 'invalid_url'],
    ['nats://127.0.0.1:4222/', 'invalid_url'],
    ['nats://127.0.0.1:4222/orders.*', 'invalid_url'],
    ['mqtt://127.0.0.1:1883/a/+/b', 'invalid_url'],
    ['redis://127.0.0.1:6379/0', 'invalid_url'],
    ['redis://127.0.0.1:6379/0?stream=s&maxLen=-1', 'invalid_url'],
    ['kafka://127.0.0.1:9092/topic', 'invalid_url'],
    ['redis://169.254.169.254:6379?stream=s', 'blocked_address'],
  ])('%s -> %s', async (url, code) => {
    const res = await h.request('POST', '/v1/endpoints', { body: { url } });
    expect(res.status, res.text).toBe(422);
    expect(res.body.code).toBe(code);
    expect(res.text).not.toContain('guest:guest');
  });

  it('header and OAuth2 auth have no broker meaning: refused; PATCH from http to a broker URL works', async () => {
    const res = await h.request('POST', '/v1/endpoints', { body: { url: `redis://127.0.0.1:6379?stream=${REDIS_STREAM}`, auth: { type: 'header', name: 'X-Key', value: 'v' } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    const ep = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/hook' } });
    const patched = await h.request('PATCH', `/v1/endpoints/${ep.body.id}`, { body: { url: `nats://127.0.0.1:4222/${SUBJECT}` } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.url).toBe(`nats://127.0.0.1:4222/${SUBJECT}`);
  });

  it('the SSRF policy holds for broker hosts: loopback is refused unless opened', async () => {
    const closed = await createHarness({ env: { HOOKD_ALLOW_PRIVATE: '' } });
    try {
      const res = await closed.request('POST', '/v1/endpoints', { body: { url: 'redis://127.0.0.1:6379?stream=s' } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('blocked_address');
      const sent = await closed.runtime.sender.send({ url: 'amqp://localhost:5672/?exchange=x', headers: {}, body: Buffer.from('{}'), timeoutMs: 2_000, connectTimeoutMs: 1_000, maxResponseBytes: 10 });
      expect(sent.errorCode).toBe('blocked_address');
    } finally {
      await closed.close();
    }
  });
});
