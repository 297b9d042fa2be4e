// Receiver process: the webhook endpoints every scenario delivers to (hookd, the peer and the raw
// undici client alike). It counts (path, webhook-id) pairs, so a delivery that never arrives (loss)
// or arrives twice (duplicate) shows up, and records for each first arrival how long after the
// publisher's send time it came (the body carries `"sentAt":<ms>`). It answers 200 with no body.
//
// A second port is a black hole: it reads requests and never answers (the isolation scenario's bad
// endpoint). It is a separate origin, as a bad receiver would be in production.

import http from 'node:http';
import { nowMs, serveRpc } from './procs.js';
import { latencySummary } from './stats.js';

const SENT_AT = /"sentAt":([0-9.]+)/;

let seen = new Map();
let total = 0;
let firstAt = null;
let lastAt = null;
let latencies = [];
let blackholeHits = 0;
let waiter = null;

function record(key, sentAt) {
  total++;
  const n = seen.get(key);
  if (n !== undefined) {
    seen.set(key, n + 1);
    return;
  }
  const t = nowMs();
  seen.set(key, 1);
  if (firstAt === null) firstAt = t;
  lastAt = t;
  if (sentAt !== null) latencies.push(t - sentAt);
  if (waiter && seen.size >= waiter.expect) {
    const w = waiter;
    waiter = null;
    w.resolve();
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const id = req.headers['webhook-id'];
    const body = Buffer.concat(chunks).toString('utf8');
    const m = SENT_AT.exec(body);
    record(`${req.url}|${id}`, m ? Number(m[1]) : null);
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
// Longer than the clients' keep-alive, so the server never closes a socket a client is about to reuse.
server.keepAliveTimeout = 65_000;

const held = new Set();
const blackhole = http.createServer((req) => {
  blackholeHits++;
  req.resume();
  held.add(req.socket);
  req.socket.once('close', () => held.delete(req.socket));
});
blackhole.requestTimeout = 0;

function stats() {
  let duplicates = 0;
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  return {
    unique: seen.size,
    total,
    duplicates,
    firstAt,
    lastAt,
    latency: latencySummary(latencies),
    blackholeHits,
  };
}

await new Promise((r) => server.listen(0, '127.0.0.1', r));
await new Promise((r) => blackhole.listen(0, '127.0.0.1', r));

serveRpc(
  {
    reset() {
      seen = new Map();
      total = 0;
      firstAt = null;
      lastAt = null;
      latencies = [];
      blackholeHits = 0;
      waiter = null;
      for (const s of held) s.destroy();
      return {};
    },
    /** Resolve when `expect` distinct deliveries arrived (or the deadline passed), then a quiet period to catch late duplicates. */
    async wait({ expect, timeoutMs, quietMs = 300 }) {
      if (seen.size < expect) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiter = null;
            resolve();
          }, timeoutMs);
          waiter = {
            expect,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
      }
      await new Promise((r) => setTimeout(r, quietMs));
      return { ...stats(), timedOut: seen.size < expect };
    },
    stats,
  },
  { port: server.address().port, blackholePort: blackhole.address().port },
);
