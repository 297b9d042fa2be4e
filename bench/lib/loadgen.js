// Load generator process: publishes events to hookd or the peer (batch route or single publishes,
// closed or open loop) and, for the `raw` yardstick, posts webhooks straight to the receiver. It uses
// an undici Pool per target. Every event's data carries `sentAt` (the time its request was sent, or
// for the open loop the time it was scheduled: a late send then counts against the system, so the
// figures have no coordinated omission) and ~1 KB of padding, so each webhook body is about 1 KB.

import { Pool } from 'undici';
import { nowMs, serveRpc, sleep } from './procs.js';

const PAD = 'x'.repeat(880);

function eventData(seq, sentAt) {
  return { sentAt, seq, conversationId: `conv-${seq}`, agent: { id: 'agent-7', name: 'Ada' }, note: PAD };
}

const pools = new Map();
function poolFor(origin, connections) {
  const key = `${origin}|${connections}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    pools.set(key, pool);
  }
  return pool;
}

async function post(pool, path, headers, body) {
  const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body, headersTimeout: 60_000, bodyTimeout: 60_000 });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

/** Run `count` jobs with at most `concurrency` in flight; `job(i)` returns a promise. */
async function closedLoop(count, concurrency, job) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await job(i);
    }
  });
  await Promise.all(workers);
}

/** `types(seq)` names the event type of event `seq` (scenarios route events to endpoints by type). */
function typeOf(types, seq) {
  return types[seq % types.length];
}

const handlers = {
  /**
   * Publish `events` events in batches of `batchSize` with `concurrency` batches in flight. With
   * `orderingKeys`, event `seq` carries the ordering key `key-{seq % orderingKeys}`.
   */
  async batch({ origin, path, headers = {}, events, batchSize, concurrency, types, connections = 8, orderingKeys = 0 }) {
    const pool = poolFor(origin, connections);
    const batches = Math.ceil(events / batchSize);
    let accepted = 0;
    let deliveries = 0;
    const errors = [];
    const startedAt = nowMs();
    await closedLoop(batches, concurrency, async (b) => {
      const sentAt = nowMs();
      const items = [];
      for (let seq = b * batchSize; seq < Math.min(events, (b + 1) * batchSize); seq++) items.push({ type: typeOf(types, seq), data: eventData(seq, sentAt), ...(orderingKeys > 0 ? { orderingKey: `key-${seq % orderingKeys}` } : {}) });
      const res = await post(pool, path, headers, JSON.stringify({ events: items }));
      if (res.status !== 202 && res.status !== 200) {
        if (errors.length < 5) errors.push(`${res.status} ${res.text.slice(0, 200)}`);
        return;
      }
      const body = JSON.parse(res.text);
      accepted += items.length;
      deliveries += body.deliveries ?? 0;
    });
    return { accepted, deliveries, errors, startedAt, finishedAt: nowMs() };
  },

  /** Closed loop of single publishes: `concurrency` requests in flight. */
  async single({ origin, path, headers = {}, events, concurrency, types, connections }) {
    const pool = poolFor(origin, connections ?? concurrency);
    let accepted = 0;
    let deliveries = 0;
    const errors = [];
    const startedAt = nowMs();
    await closedLoop(events, concurrency, async (seq) => {
      const res = await post(pool, path, headers, JSON.stringify({ type: typeOf(types, seq), data: eventData(seq, nowMs()) }));
      if (res.status !== 202 && res.status !== 200) {
        if (errors.length < 5) errors.push(`${res.status} ${res.text.slice(0, 200)}`);
        return;
      }
      accepted++;
      deliveries += JSON.parse(res.text).deliveries ?? 0;
    });
    return { accepted, deliveries, errors, startedAt, finishedAt: nowMs() };
  },

  /**
   * Open loop: one single publish every 1000/rate ms for durationMs, whatever the answers do. Sends
   * that fall behind schedule go out at once (and their latency counts from the scheduled time).
   */
  async paced({ origin, path, headers = {}, rate, durationMs, types, connections = 64 }) {
    const pool = poolFor(origin, connections);
    const total = Math.round((rate * durationMs) / 1000);
    const interval = 1000 / rate;
    let accepted = 0;
    let deliveries = 0;
    let maxLagMs = 0;
    const errors = [];
    const inflight = new Set();
    const startedAt = nowMs() + 5;
    const hardStop = startedAt + durationMs + 30_000;
    let seq = 0;
    while (seq < total && nowMs() < hardStop) {
      const t = nowMs();
      // Everything due by now goes out in this turn.
      while (seq < total && startedAt + seq * interval <= t) {
        const scheduled = startedAt + seq * interval;
        maxLagMs = Math.max(maxLagMs, t - scheduled);
        const body = JSON.stringify({ type: typeOf(types, seq), data: eventData(seq, scheduled) });
        const p = post(pool, path, headers, body).then(
          (res) => {
            if (res.status === 202 || res.status === 200) {
              accepted++;
              deliveries += JSON.parse(res.text).deliveries ?? 0;
            } else if (errors.length < 5) errors.push(`${res.status} ${res.text.slice(0, 200)}`);
          },
          (err) => {
            if (errors.length < 5) errors.push(String(err));
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        seq++;
      }
      const nextDue = startedAt + seq * interval;
      await sleep(Math.max(0, Math.min(50, nextDue - nowMs() - 0.5)));
    }
    const sentUntil = nowMs();
    await Promise.race([Promise.all([...inflight]), sleep(60_000)]);
    return { sent: seq, accepted, deliveries, errors, startedAt, sentUntil, finishedAt: nowMs(), maxLagMs, achievedRate: seq / ((sentUntil - startedAt) / 1000) };
  },

  /** The yardstick: POST `requests` webhook-shaped requests straight to the receiver. */
  async raw({ origin, requests, connections }) {
    const pool = poolFor(origin, connections);
    const run = `raw${process.pid}-${Date.now()}`;
    let ok = 0;
    const errors = [];
    const startedAt = nowMs();
    await closedLoop(requests, connections, async (seq) => {
      const body = JSON.stringify({ type: 'bench.raw', timestamp: new Date().toISOString(), data: eventData(seq, nowMs()) });
      try {
        const res = await post(pool, '/hook/raw', { 'webhook-id': `${run}-${seq}`, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, body);
        if (res.status === 200) ok++;
        else if (errors.length < 5) errors.push(String(res.status));
      } catch (err) {
        if (errors.length < 5) errors.push(String(err));
      }
    });
    return { ok, errors, startedAt, finishedAt: nowMs() };
  },

  async close() {
    await Promise.all([...pools.values()].map((p) => p.close()));
    pools.clear();
    return {};
  },
};

serveRpc(handlers);
