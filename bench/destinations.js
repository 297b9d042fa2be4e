// `npm run bench:destinations`: the destinations scenario of issue 19. For each broker (RabbitMQ,
// NATS JetStream, MQTT, Redis Streams) a fresh hookd (SQLite) gets FANOUT endpoints with that broker's
// URL, and a burst of EVENTS events is published through the batch API; deliveries/s is counted at the
// broker (queue depth, stream length, subscriber). In the same run the same client library hookd uses
// publishes the same number of messages to the same broker with the same confirmation (publisher
// confirms, JetStream ack, PUBACK, XADD reply) and concurrency: the raw rate every figure is set beside.
//
//   node bench/destinations.js [--events N] [--fanout F] [--broker amqp,nats,mqtt,redis] [--concurrency C]

import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { connectAsync } from 'mqtt';
import { connect as natsConnect } from 'nats';
import { createDatabase, startHookd } from './lib/hookd-server.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : args[i + 1];
};
const EVENTS = Number(opt('events', '2000'));
const FANOUT = Number(opt('fanout', '4'));
const CONCURRENCY = Number(opt('concurrency', '64'));
const BROKERS = opt('broker', 'amqp,nats,mqtt,redis').split(',');
const TOTAL = EVENTS * FANOUT;
const run = randomBytes(3).toString('hex');

const now = () => performance.now();
async function waitFor(fn, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** `total` tasks, `concurrency` in flight. */
async function closedLoop(total, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, async () => {
    while (next < total) await task(next++);
  }));
}

/** Per broker: a sink that counts what arrived, the endpoint URL, and the raw publisher. */
const SINKS = {
  async amqp() {
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    const exchange = `hookd-bench-${run}`;
    const queue = `hookd-bench-${run}`;
    await ch.assertExchange(exchange, 'direct', { durable: false });
    await ch.assertQueue(queue, { durable: false });
    await ch.bindQueue(queue, exchange, 'k');
    const pub = await conn.createConfirmChannel();
    return {
      url: `amqp://127.0.0.1:5672/?exchange=${exchange}&routingKey=k`,
      count: async () => (await ch.checkQueue(queue)).messageCount,
      reset: () => ch.purgeQueue(queue),
      rawOne: (body) => new Promise((res, rej) => pub.publish(exchange, 'k', body, { persistent: true, mandatory: true }, (err) => (err ? rej(err) : res()))),
      close: async () => {
        await ch.deleteQueue(queue);
        await ch.deleteExchange(exchange);
        await conn.close();
      },
    };
  },
  async nats() {
    const nc = await natsConnect({ servers: '127.0.0.1:4222' });
    const jsm = await nc.jetstreamManager();
    const stream = `HOOKDBENCH_${run}`;
    const subject = `hookdbench.${run}`;
    await jsm.streams.add({ name: stream, subjects: [subject] });
    const js = nc.jetstream();
    return {
      url: `nats://127.0.0.1:4222/${subject}`,
      count: async () => (await jsm.streams.info(stream)).state.messages,
      reset: () => jsm.streams.purge(stream),
      rawOne: (body) => js.publish(subject, body),
      close: async () => {
        await jsm.streams.delete(stream);
        await nc.close();
      },
    };
  },
  async mqtt() {
    const topic = `hookd-bench/${run}`;
    let seen = 0;
    const sub = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5 });
    sub.on('message', () => seen++);
    await sub.subscribeAsync(topic, { qos: 1 });
    const pub = await connectAsync({ host: '127.0.0.1', port: 1883, protocolVersion: 5 });
    return {
      url: `mqtt://127.0.0.1:1883/${topic}`,
      count: async () => seen,
      reset: async () => {
        seen = 0;
      },
      rawOne: (body) => pub.publishAsync(topic, body, { qos: 1 }),
      close: async () => {
        await sub.endAsync();
        await pub.endAsync();
      },
    };
  },
  async redis() {
    const key = `hookd-bench:${run}`;
    const r = new Redis({ host: '127.0.0.1', port: 6379 });
    return {
      url: `redis://127.0.0.1:6379?stream=${encodeURIComponent(key)}&maxLen=${TOTAL * 2}`,
      count: () => r.xlen(key),
      reset: () => r.del(key),
      rawOne: (body) => r.xadd(key, 'MAXLEN', '~', String(TOTAL * 2), '*', 'body', body),
      close: async () => {
        await r.del(key);
        r.disconnect();
      },
    };
  },
};

async function hookdRate(name, sink) {
  const db = await createDatabase('sqlite');
  const hookd = await startHookd(db, { env: { HOOKD_WORKER_CONCURRENCY: String(CONCURRENCY) } });
  try {
    const type = `bench.${name}`;
    for (let i = 0; i < FANOUT; i++) await hookd.api('POST', '/v1/endpoints', { url: sink.url, eventTypes: [type], maxConcurrency: CONCURRENCY });
    const started = now();
    await closedLoop(Math.ceil(EVENTS / 500), 4, async (b) => {
      const n = Math.min(500, EVENTS - b * 500);
      await hookd.api('POST', '/v1/events/batch', { events: Array.from({ length: n }, (_, i) => ({ type, data: { seq: b * 500 + i, pad: 'x'.repeat(200) } })) });
    });
    await waitFor(async () => (await sink.count()) >= TOTAL, 300_000, `${name}: ${TOTAL} deliveries`);
    return TOTAL / ((now() - started) / 1000);
  } finally {
    await hookd.stop();
    await db.drop();
  }
}

async function rawRate(sink) {
  const body = Buffer.from(JSON.stringify({ type: 'bench', timestamp: new Date().toISOString(), data: { pad: 'x'.repeat(200) } }));
  const started = now();
  await closedLoop(TOTAL, CONCURRENCY, () => sink.rawOne(body));
  await waitFor(async () => (await sink.count()) >= TOTAL, 120_000, 'raw messages');
  return TOTAL / ((now() - started) / 1000);
}

const rows = [];
for (const name of BROKERS) {
  const sink = await SINKS[name]();
  try {
    const raw = await rawRate(sink);
    await sink.reset();
    const hookd = await hookdRate(name, sink);
    rows.push({ broker: name, deliveriesPerSec: Math.round(hookd), rawPublishPerSec: Math.round(raw), ratio: +(hookd / raw).toFixed(2) });
    console.log(`${name}: hookd ${Math.round(hookd)} deliveries/s, raw ${Math.round(raw)} publishes/s`);
  } finally {
    await sink.close();
  }
}
console.log(`\ndestinations: ${EVENTS} events x ${FANOUT} endpoints = ${TOTAL} deliveries per broker, concurrency ${CONCURRENCY}, SQLite`);
console.table(rows);
