// Broker sources against the real Redis on this machine: a source with `consume` reads a stream
// through a consumer group; each entry becomes an event (and its delivery) through the ingress path,
// a redelivery is absorbed by dedupe (the entry id), a bad entry is rejected, logged and acked, and
// an entry is acknowledged only after its event is stored (a hookd stopped in between gets it again).

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { AckPolicy, connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

const run = randomBytes(4).toString('hex');
const STREAM = `hookd-src-test:${run}`;
const GROUP = 'hookd';
const QUEUE = `hookd-src-test-${run}`;
let amqpConn: amqp.ChannelModel;
let amqpChannel: amqp.Channel;
const NSTREAM = `HOOKDSRC_${run}`;
const NSUBJECT = `hookdsrc.${run}`;
let nc: NatsConnection;
let redis: Redis;
let h: Harness | null = null;
/** The data directory of the first harness: restarts reopen it (a restarted harness's own dir stays empty). */
let dataDir = '';
let receiver: Server;
let receiverUrl: string;
const received: { body: string; headers: Record<string, unknown> }[] = [];

async function eventually<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  amqpConn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  amqpChannel = await amqpConn.createChannel();
  await amqpChannel.assertQueue(QUEUE, { durable: false, autoDelete: false });
  nc = await natsConnect({ servers: '127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: NSTREAM, subjects: [`${NSUBJECT}.>`] });
  // A short ack_wait: a message taken and never acked comes back within a second.
  await jsm.consumers.add(NSTREAM, { durable_name: 'hookd', ack_policy: AckPolicy.Explicit, ack_wait: 1_000_000_000 });
  h = await createHarness({}, { consumerRefreshMs: 100 });
  dataDir = h.dir;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 30_000);

afterAll(async () => {
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
  await redis?.del(STREAM);
  redis?.disconnect();
  await amqpChannel?.deleteQueue(QUEUE).catch(() => undefined);
  await amqpConn?.close().catch(() => undefined);
  if (nc) {
    await (await nc.jetstreamManager()).streams.delete(NSTREAM).catch(() => undefined);
    await nc.close();
  }
  await new Promise((r) => receiver?.close(r));
});

const pending = async (): Promise<number> => ((await redis.call('XPENDING', STREAM, GROUP)) as [number])[0];

async function requests(harness: Harness, sourceId: string): Promise<any[]> {
  const res = await harness.request('GET', `/v1/sources/${sourceId}/requests?limit=250`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

describe('Redis Streams source', () => {
  let sourceId = '';
  const type = `brokersrc.${run}`;

  it('validates the consume member precisely', async () => {
    const cases: [unknown, RegExp][] = [
      [{ url: 'redis://127.0.0.1:6379/0' }, /stream and the consumer group/],
      [{ url: 'redis://u:p@127.0.0.1:6379/0?stream=s&group=g' }, /credentials/],
      [{ url: 'gopher://127.0.0.1/?stream=s' }, /not gopher/],
      [{ url: 'redis://127.0.0.1/0?stream=s&group=g&oops=1' }, /Unknown URL parameter "oops"/],
      [{ url: 'not a url' }, /not a valid absolute URL/],
    ];
    for (const [consume, message] of cases) {
      const res = await h!.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'none' }, consume } });
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.detail).toMatch(message);
      expect(res.body.errors[0].path).toBe('/body/consume/url');
    }
    const typeMismatch = await h!.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'none' }, consume: { url: 5 } } });
    expect(typeMismatch.status).toBe(400);
    const extra = await h!.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'none' }, consume: { url: 'redis://127.0.0.1/?stream=s&group=g', token: 'x' } } });
    expect(extra.status).toBe(400);
  });

  it('turns a stream entry into an event and a delivery, acknowledged after it is stored', async () => {
    const ep = await h!.request('POST', '/v1/endpoints', { body: { url: receiverUrl, eventTypes: [type] } });
    expect(ep.status, ep.text).toBe(201);
    const res = await h!.request('POST', '/v1/sources', {
      body: { name: 'redis source', verify: { scheme: 'none' }, consume: { url: `redis://127.0.0.1:6379/0?stream=${encodeURIComponent(STREAM)}&group=${GROUP}&start=0`, password: 'unused-but-sealed' } },
    });
    expect(res.status, res.text).toBe(201);
    sourceId = res.body.id;
    expect(res.body.consume).toEqual({ url: expect.stringContaining('redis://127.0.0.1:6379/0?stream='), username: null, password: '[redacted]' });
    await h!.runtime.consumers!.resync();
    await eventually(() => h!.runtime.consumers!.running().includes(sourceId));

    await redis.call('XADD', STREAM, '*', 'body', JSON.stringify({ type, data: { n: 1 } }));
    const logged = await eventually(async () => (await requests(h!, sourceId)).find((r) => r.verdict === 'accepted'));
    expect(logged.eventId).toMatch(/^evt_/);
    expect(logged.remoteAddress).toBe(`redis:${STREAM}`);
    await eventually(() => received.length === 1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({ type, data: { data: { n: 1 } } });
    await eventually(async () => (await pending()) === 0);
  });

  it('absorbs a redelivery of the same entry (dedupe on the entry id)', async () => {
    // Rewinding the group makes Redis deliver every entry again, with its id unchanged: what a
    // crash between commit and XACK looks like to hookd.
    await redis.call('XGROUP', 'SETID', STREAM, GROUP, '0');
    const dup = await eventually(async () => (await requests(h!, sourceId)).find((r) => r.verdict === 'duplicate'));
    expect(dup.reason).toMatch(/Duplicate of/);
    await eventually(async () => (await pending()) === 0);
    const events = await h!.request('GET', `/v1/events?type=${type}`);
    expect(events.status, events.text).toBe(200);
    expect(events.body.data).toHaveLength(1);
  });

  it('rejects a bad entry with its reason, logs it and acknowledges it', async () => {
    await redis.call('XADD', STREAM, '*', 'body', '{not json');
    await redis.call('XADD', STREAM, '*', 'body', JSON.stringify({ data: { no: 'type' } }));
    const rejected = await eventually(async () => {
      const r = (await requests(h!, sourceId)).filter((x) => x.verdict === 'rejected');
      return r.length === 2 ? r : null;
    });
    expect(rejected.map((r) => r.code).sort()).toEqual(['invalid_json', 'schema_mismatch'].sort());
    expect(rejected.find((r) => r.code === 'invalid_json').body).toBe('{not json');
    await eventually(async () => (await pending()) === 0);
  });

  it('redelivers an entry read by a hookd that stopped before storing it', async () => {
    await h!.runtime.close();
    h = null;
    // The stopped hookd had read the entry (it sits in the group's pending list) but not stored it.
    await redis.call('XADD', STREAM, '*', 'body', JSON.stringify({ type, data: { n: 2 } }));
    const read = (await redis.call('XREADGROUP', 'GROUP', GROUP, 'hookd', 'COUNT', '1', 'STREAMS', STREAM, '>')) as unknown[];
    expect(read).toHaveLength(1);
    expect(await pending()).toBe(1);

    h = await createHarness({ env: { HOOKD_DATA_DIR: dataDir } }, { consumerRefreshMs: 100 });
    await eventually(async () => (await requests(h!, sourceId)).filter((r) => r.verdict === 'accepted').length === 2);
    await eventually(async () => (await pending()) === 0);
    await eventually(() => received.length === 2);
    expect(JSON.parse(received[1]!.body)).toMatchObject({ type, data: { data: { n: 2 } } });
  });

  it('stops consuming when the consume member is removed', async () => {
    const res = await h!.request('PATCH', `/v1/sources/${sourceId}`, { body: { consume: null } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.consume).toBeNull();
    await h!.runtime.consumers!.resync();
    expect(h!.runtime.consumers!.running()).not.toContain(sourceId);
  });
});

describe('RabbitMQ queue source', () => {
  let sourceId = '';
  const type = `brokersrc.amqp.${run}`;
  const send = (body: string, messageId?: string): void => {
    amqpChannel.sendToQueue(QUEUE, Buffer.from(body), { contentType: 'application/json', ...(messageId ? { messageId } : {}) });
  };
  const queued = async (): Promise<number> => (await amqpChannel.checkQueue(QUEUE)).messageCount;

  it('validates the queue URL', async () => {
    const res = await h!.request('POST', '/v1/sources', { body: { name: 'bad', verify: { scheme: 'none' }, consume: { url: 'amqp://127.0.0.1/?exchange=x' } } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.detail).toMatch(/Unknown URL parameter "exchange"/);
  });

  it('turns a message into an event and a delivery; a redelivered message-id is absorbed; a bad one is logged and acked', async () => {
    const ep = await h!.request('POST', '/v1/endpoints', { body: { url: receiverUrl, eventTypes: [type] } });
    expect(ep.status, ep.text).toBe(201);
    const res = await h!.request('POST', '/v1/sources', {
      body: { name: 'amqp source', verify: { scheme: 'none' }, consume: { url: `amqp://127.0.0.1:5672/?queue=${QUEUE}`, username: 'guest', password: 'guest' } },
    });
    expect(res.status, res.text).toBe(201);
    sourceId = res.body.id;
    await h!.runtime.consumers!.resync();
    await eventually(() => h!.runtime.consumers!.running().includes(sourceId));
    const before = received.length;
    send(JSON.stringify({ type, data: { n: 'a' } }), `m-${run}-1`);
    send(JSON.stringify({ type, data: { n: 'a' } }), `m-${run}-1`);
    send('{oops', `m-${run}-2`);
    const log = await eventually(async () => {
      const r = await requests(h!, sourceId);
      return r.length === 3 ? r : null;
    });
    expect(log.map((r) => r.verdict).sort()).toEqual(['accepted', 'duplicate', 'rejected']);
    expect(log.find((r) => r.verdict === 'rejected').code).toBe('invalid_json');
    expect(log.find((r) => r.verdict === 'accepted').remoteAddress).toBe(`amqp:${QUEUE}`);
    await eventually(() => received.length === before + 1);
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ type, data: { data: { n: 'a' } } });
    expect(await queued()).toBe(0);
  });

  it('gets again a message a consumer took but never acknowledged', async () => {
    await h!.runtime.close();
    h = null;
    // A consumer that takes the message and dies before acking (what a hookd crash before commit is).
    send(JSON.stringify({ type, data: { n: 'b' } }), `m-${run}-3`);
    const dying = await amqpConn.createChannel();
    const got = await eventually(async () => (await dying.get(QUEUE, { noAck: false })) || null);
    expect(got.content.toString()).toContain('"b"');
    await dying.close();
    h = await createHarness({ env: { HOOKD_DATA_DIR: dataDir } }, { consumerRefreshMs: 100 });
    await eventually(async () => (await requests(h!, sourceId)).filter((r) => r.verdict === 'accepted').length === 2);
    await eventually(async () => (await queued()) === 0);
  });
});

describe('NATS JetStream durable source', () => {
  let sourceId = '';
  const type = `brokersrc.nats.${run}`;

  it('turns a message into an event and a delivery; a bad one is logged and acked', async () => {
    const ep = await h!.request('POST', '/v1/endpoints', { body: { url: receiverUrl, eventTypes: [type] } });
    expect(ep.status, ep.text).toBe(201);
    const res = await h!.request('POST', '/v1/sources', { body: { name: 'nats source', verify: { scheme: 'none' }, consume: { url: `nats://127.0.0.1:4222/${NSUBJECT}.>?stream=${NSTREAM}&durable=hookd` } } });
    expect(res.status, res.text).toBe(201);
    sourceId = res.body.id;
    await h!.runtime.consumers!.resync();
    await eventually(() => h!.runtime.consumers!.running().includes(sourceId));
    const before = received.length;
    const js = nc.jetstream();
    await js.publish(`${NSUBJECT}.orders`, Buffer.from(JSON.stringify({ type, data: { n: 'x' } })));
    await js.publish(`${NSUBJECT}.orders`, Buffer.from('[1,'));
    const log = await eventually(async () => {
      const r = await requests(h!, sourceId);
      return r.length === 2 ? r : null;
    });
    expect(log.map((r) => r.verdict).sort()).toEqual(['accepted', 'rejected']);
    expect(log.find((r) => r.verdict === 'accepted').remoteAddress).toBe(`nats:${NSUBJECT}.orders`);
    await eventually(() => received.length === before + 1);
    const info = await (await nc.jetstreamManager()).consumers.info(NSTREAM, 'hookd');
    await eventually(async () => (await (await nc.jetstreamManager()).consumers.info(NSTREAM, 'hookd')).num_ack_pending === 0);
    expect(info.num_pending).toBe(0);
  });

  it('gets again a message taken but never acknowledged', async () => {
    await h!.runtime.close();
    h = null;
    const js = nc.jetstream();
    await js.publish(`${NSUBJECT}.orders`, Buffer.from(JSON.stringify({ type, data: { n: 'y' } })));
    const consumer = await js.consumers.get(NSTREAM, 'hookd');
    const taken = await consumer.next({ expires: 5000 });
    expect(taken?.string()).toContain('"y"');
    h = await createHarness({ env: { HOOKD_DATA_DIR: dataDir } }, { consumerRefreshMs: 100 });
    await eventually(async () => (await requests(h!, sourceId)).filter((r) => r.verdict === 'accepted').length === 2);
    await eventually(async () => (await (await nc.jetstreamManager()).consumers.info(NSTREAM, 'hookd')).num_ack_pending === 0);
  });
});
