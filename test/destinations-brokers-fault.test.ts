// Fault tests: the broker connection is killed mid-burst (Redis CLIENT KILL, RabbitMQ
// close_connection) or the broker itself is killed and restarted (NATS: a private nats-server with
// its own JetStream store, never the shared one) and we count. Every event reaches the broker at
// least once, every delivery ends succeeded, and duplicates never exceed the attempts that failed
// (at-least-once, nothing lost); for JetStream, Nats-Msg-Id dedupe makes them zero.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

const exec = promisify(execFile);
const run = randomBytes(4).toString('hex');
const BURST = 80;
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ env: { HOOKD_WORKER_CONCURRENCY: '16' } });
}, 30_000);
afterAll(async () => {
  await h?.close();
});

async function eventually<T>(fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Publish a burst to one endpoint; `fault` runs once a third of it is confirmed. Returns event ids and attempt codes. */
async function burst(url: string, confirmedSoFar: () => Promise<number>, fault: () => Promise<void>): Promise<{ eventIds: string[]; codes: string[] }> {
  const type = `fault.${run}.${randomBytes(3).toString('hex')}`;
  const ep = await h.request('POST', '/v1/endpoints', { body: { url, eventTypes: [type], retrySchedule: [0, 0, 0, 0, 0, 1, 1, 1], timeoutMs: 3000 } });
  expect(ep.status, ep.text).toBe(201);
  const eventIds: string[] = [];
  for (let i = 0; i < BURST; i++) {
    const res = await h.request('POST', '/v1/events', { body: { type, data: { i } } });
    expect(res.status).toBe(202);
    eventIds.push(res.body.id);
    if (i === Math.floor(BURST / 3)) {
      await eventually(async () => (await confirmedSoFar()) > 0, 10_000);
      await fault();
    }
  }
  const deliveries = await eventually(async () => {
    const list = await h.request('GET', `/v1/deliveries?endpoint=${ep.body.id}&limit=100`);
    const data = list.body.data as { id: string; status: string }[];
    return data.length === BURST && data.every((d) => d.status === 'succeeded') ? data : null;
  }, 60_000);
  const codes: string[] = [];
  for (const d of deliveries) {
    const full = await h.request('GET', `/v1/deliveries/${d.id}`);
    for (const a of full.body.attempts as { code: string }[]) codes.push(a.code);
  }
  return { eventIds, codes };
}

describe('a killed broker connection mid-burst loses nothing', () => {
  it('Redis: CLIENT KILL of hookd\'s connection', async () => {
    const stream = `hookd-fault:${run}`;
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    await redis.connect();
    try {
      const killHookd = async (): Promise<void> => {
        const list = (await redis.call('CLIENT', 'LIST')) as string;
        const ids = list.split('\n').filter((l) => / name=hookd /.test(l)).map((l) => /id=(\d+)/.exec(l)![1]!);
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) await redis.call('CLIENT', 'KILL', 'ID', id);
        killed.push(...ids);
      };
      const killed: string[] = [];
      const hookdIds = async (): Promise<string[]> =>
        ((await redis.call('CLIENT', 'LIST')) as string).split('\n').filter((l) => / name=hookd /.test(l)).map((l) => /id=(\d+)/.exec(l)![1]!);
      const { eventIds, codes } = await burst(`redis://127.0.0.1:6379?stream=${encodeURIComponent(stream)}`, () => redis.xlen(stream), killHookd);
      const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
      const seen = entries.map(([, f]) => f[f.indexOf('webhook-id') + 1]);
      const missing = eventIds.filter((id) => !seen.includes(id));
      expect(missing).toEqual([]);
      const failed = codes.filter((c) => c !== 'ok').length;
      expect(seen.length - eventIds.length).toBeLessThanOrEqual(failed);
      expect(codes.filter((c) => c === 'ok').length).toBe(BURST);
      // The kill took effect: the deliveries after it went over a new connection from the pool.
      const now = await hookdIds();
      expect(now.length).toBeGreaterThan(0);
      expect(now.some((id) => killed.includes(id))).toBe(false);
    } finally {
      await redis.del(stream);
      redis.disconnect();
    }
  }, 90_000);

  it('RabbitMQ: the broker closes hookd\'s connection (rabbitmqctl close_connection)', async () => {
    const exchange = `hookd-fault-${run}`;
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'direct', { durable: false });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, exchange, 'k');
    const seen: string[] = [];
    await ch.consume(q.queue, (m) => m && seen.push(String(m.properties.headers?.['webhook-id'])), { noAck: true });
    try {
      const closeHookd = async (): Promise<void> => {
        // Tab-separated text: the pid column in the form close_connection takes (<rabbit@host.N.M>).
        const { stdout } = await exec('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q']);
        const mine = stdout.split('\n').filter((l) => l.includes('"hookd"') || l.includes('<<"hookd">>')).map((l) => l.split('\t')[0]!);
        expect(mine.length).toBeGreaterThan(0);
        for (const pid of mine) await exec('rabbitmqctl', ['close_connection', pid, 'fault test']);
        closed.push(...mine);
      };
      const closed: string[] = [];
      const { eventIds, codes } = await burst(`amqp://127.0.0.1:5672/?exchange=${exchange}&routingKey=k`, async () => seen.length, closeHookd);
      await eventually(async () => eventIds.every((id) => seen.includes(id)), 10_000);
      const failed = codes.filter((c) => c !== 'ok').length;
      expect(seen.length - eventIds.length).toBeLessThanOrEqual(failed);
      // The close took effect: hookd is on a new connection now.
      const { stdout } = await exec('rabbitmqctl', ['list_connections', 'pid', 'client_properties', '-q']);
      const now = stdout.split('\n').filter((l) => l.includes('"hookd"') || l.includes('<<"hookd">>')).map((l) => l.split('\t')[0]!);
      expect(now.length).toBeGreaterThan(0);
      expect(now.some((pid) => closed.includes(pid))).toBe(false);
    } finally {
      await ch.deleteExchange(exchange).catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
  }, 120_000);

  it('NATS JetStream: a private nats-server is killed (SIGKILL) and restarted mid-burst', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const storeDir = mkdtempSync(join(tmpdir(), 'hookd-nats-fault-'));
    let server: ChildProcess | null = null;
    const startServer = async (): Promise<void> => {
      server = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      await eventually(async () => {
        try {
          const probe = await natsConnect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 500 });
          await probe.close();
          return true;
        } catch {
          return false;
        }
      }, 15_000);
    };
    const killServer = async (): Promise<void> => {
      const s = server!;
      if (s.exitCode !== null || s.signalCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGKILL');
      await exited;
    };
    const streamName = `HOOKDFAULT_${run}`;
    const subject = `hookdfault.${run}.orders`;
    let nc: NatsConnection | null = null;
    try {
      await startServer();
      nc = await natsConnect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      await (await nc.jetstreamManager()).streams.add({ name: streamName, subjects: [`hookdfault.${run}.>`] });
      const stored = async (): Promise<number> => {
        try {
          return (await (await nc!.jetstreamManager()).streams.info(streamName)).state.messages;
        } catch {
          return 0;
        }
      };
      let restarts = 0;
      let storedAtKill = -1;
      const { eventIds, codes } = await burst(`nats://127.0.0.1:${port}/${subject}`, stored, async () => {
        storedAtKill = await stored();
        await killServer();
        // Down long enough for in-flight publishes to fail, then back on the same store.
        await new Promise((r) => setTimeout(r, 500));
        await startServer();
        restarts += 1;
      });
      // Mid-burst: part of it was stored before the kill, the rest went to the restarted server
      // (publishes in flight either failed and were retried, or the client held them over its reconnect).
      expect(restarts).toBe(1);
      expect(storedAtKill).toBeGreaterThan(0);
      expect(storedAtKill).toBeLessThan(BURST);
      // Read the whole stream back: one message per event, the webhook-id of each.
      const seen: string[] = [];
      const jsm = await nc.jetstreamManager();
      const { state } = await jsm.streams.info(streamName);
      for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(streamName, { seq });
        seen.push(m.header.get('webhook-id'));
      }
      const missing = eventIds.filter((id) => !seen.includes(id));
      expect(missing).toEqual([]);
      // docs/destinations.md: a retry within the stream's duplicate window is stored once (Nats-Msg-Id
      // is the delivery id), also across the server's restart: no duplicate at all.
      expect(seen.length).toBe(eventIds.length);
      expect(new Set(seen).size).toBe(eventIds.length);
      expect(codes.filter((c) => c === 'ok').length).toBe(BURST);
    } finally {
      await nc?.close().catch(() => undefined);
      if (server) await killServer().catch(() => undefined);
      rmSync(storeDir, { recursive: true, force: true });
    }
  }, 120_000);
});
