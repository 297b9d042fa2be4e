// The floor: the smallest honest webhook sender over the same stores, so hookd's CPU per delivery
// can be stated as a multiple of what the job itself costs on this machine. It does only what every
// durable sender must do, and nothing hookd adds on top (routing, tenants, caps, pacing, ordering,
// health, metrics, a stored attempt log a user can read):
//   - claim a batch of 100 due rows under a lease (SQLite: one IMMEDIATE transaction; PostgreSQL:
//     FOR UPDATE SKIP LOCKED), each row holding its payload;
//   - sign each with Standard Webhooks HMAC-SHA256 (webhook-id, webhook-timestamp, webhook-signature);
//   - POST it with undici (one Pool for the receiver's origin);
//   - write the results in batches (mark delivered, fenced by the lease token, and insert one
//     attempt row each), with hookd's durability: SQLite WAL + synchronous=NORMAL, PostgreSQL's
//     default synchronous_commit.
// Its own two tables (floor_deliveries, floor_attempts) in a fresh SQLite file or PostgreSQL schema,
// seeded before the measurement starts. Forked by bench/run.js: `seed` fills the queue, `drain`
// sends everything and answers when the last result is committed.
//
// `thread: true` (the floor-thread scenario, SQLite only) runs the same SQLite store on a worker
// thread of this process, reached by message: what a store thread would cost (a structured clone of
// every claim and result batch each way) and gain (claims and commits beside the sending) at the
// floor, before anyone builds one into hookd.

import { createHmac, randomBytes } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Pool } from 'undici';
import { serveRpc } from './lib/procs.js';

const BATCH = 100;
const IN_FLIGHT = 128;
const LEASE_MS = 30_000;
const SECRET = randomBytes(24);
const PAD = 'x'.repeat(880);

const sign = (id, ts, body) => `v1,${createHmac('sha256', SECRET).update(`${id}.${ts}.${body}`).digest('base64')}`;

function sqliteStore(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS floor_deliveries (id TEXT PRIMARY KEY, path TEXT NOT NULL, body TEXT NOT NULL,
      status TEXT NOT NULL, next_attempt_at INTEGER NOT NULL, lease_token INTEGER NOT NULL, lease_expires_at INTEGER, attempts INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS floor_due ON floor_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE TABLE IF NOT EXISTS floor_attempts (id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL, created_at INTEGER NOT NULL,
      status_code INTEGER, duration_ms INTEGER NOT NULL);`);
  const insert = db.prepare("INSERT INTO floor_deliveries VALUES (?, ?, ?, 'pending', ?, 0, NULL, 0)");
  const claim = db.prepare(`UPDATE floor_deliveries SET status = 'sending', lease_token = lease_token + 1, lease_expires_at = ?
    WHERE rowid IN (SELECT rowid FROM floor_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
    RETURNING id, path, body, lease_token`);
  const done = db.prepare(`UPDATE floor_deliveries SET status = 'delivered', attempts = attempts + 1, lease_expires_at = NULL
    WHERE id = ? AND lease_token = ? AND status = 'sending'`);
  const attempt = db.prepare('INSERT INTO floor_attempts VALUES (?, ?, ?, ?, ?)');
  const seed = db.transaction((rows) => {
    for (const r of rows) insert.run(r.id, r.path, r.body, r.at);
  });
  const claimTx = db.transaction((now) => claim.all(now + LEASE_MS, now, BATCH));
  const writeTx = db.transaction((results) => {
    for (const r of results) if (done.run(r.id, r.token).changes === 1) attempt.run(`${r.id}-a`, r.id, r.at, r.status, r.ms);
  });
  return {
    seed: async (rows) => seed(rows),
    claim: async (now) => claimTx.immediate(now),
    write: async (results) => writeTx.immediate(results),
    close: async () => db.close(),
  };
}

// The SQLite store on a worker thread: each call a message there and its answer a message back.
function threadStore(file) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { file } });
  const waiting = new Map();
  let next = 0;
  let failure = null;
  worker.on('message', ({ id, result, error }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (error !== undefined) w.reject(new Error(error));
    else w.resolve(result);
  });
  worker.on('error', (err) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  const call = (op, arg) =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, arg });
    });
  return {
    seed: (rows) => call('seed', rows),
    claim: (now) => call('claim', now),
    write: (results) => call('write', results),
    close: async () => {
      await call('close');
      await worker.terminate();
    },
  };
}

if (!isMainThread) {
  const inner = sqliteStore(workerData.file);
  parentPort.on('message', async ({ id, op, arg }) => {
    try {
      parentPort.postMessage({ id, result: (await inner[op](arg)) ?? null });
    } catch (err) {
      parentPort.postMessage({ id, error: String(err?.stack ?? err) });
    }
  });
}

async function postgresStore(url, schema) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}`, application_name: 'hookd-bench-floor' });
  await pool.query(`CREATE TABLE IF NOT EXISTS floor_deliveries (id TEXT PRIMARY KEY, path TEXT NOT NULL, body TEXT NOT NULL,
      status TEXT NOT NULL, next_attempt_at BIGINT NOT NULL, lease_token INTEGER NOT NULL, lease_expires_at BIGINT, attempts INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS floor_due ON floor_deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE TABLE IF NOT EXISTS floor_attempts (id TEXT PRIMARY KEY, delivery_id TEXT NOT NULL, created_at BIGINT NOT NULL,
      status_code INTEGER, duration_ms INTEGER NOT NULL);`);
  return {
    async seed(rows) {
      await pool.query(
        `INSERT INTO floor_deliveries SELECT id, path, body, 'pending', at, 0, NULL, 0 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(id, path, body, at)`,
        [rows.map((r) => r.id), rows.map((r) => r.path), rows.map((r) => r.body), rows.map((r) => r.at)],
      );
    },
    async claim(now) {
      const res = await pool.query(
        `UPDATE floor_deliveries SET status = 'sending', lease_token = lease_token + 1, lease_expires_at = $1
         WHERE id IN (SELECT id FROM floor_deliveries WHERE status = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id, path, body, lease_token`,
        [now + LEASE_MS, now, BATCH],
      );
      return res.rows;
    },
    // One statement per batch: a CTE marks the fenced rows delivered and inserts their attempts.
    async write(results) {
      await pool.query(
        `WITH r AS (SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[], $5::int[]) AS t(id, token, at, status, ms)),
         d AS (UPDATE floor_deliveries f SET status = 'delivered', attempts = f.attempts + 1, lease_expires_at = NULL
               FROM r WHERE f.id = r.id AND f.lease_token = r.token AND f.status = 'sending' RETURNING f.id)
         INSERT INTO floor_attempts SELECT r.id || '-a', r.id, r.at, r.status, r.ms FROM r JOIN d ON d.id = r.id`,
        [results.map((r) => r.id), results.map((r) => r.token), results.map((r) => r.at), results.map((r) => r.status), results.map((r) => r.ms)],
      );
    },
    close: () => pool.end(),
  };
}

let store = null;
let http = null;
let total = 0;

async function drain() {
  const started = Date.now();
  let delivered = 0;
  let inFlight = 0;
  let pending = [];
  let writing = Promise.resolve();
  let exhausted = false;
  let failed = null;
  const flush = () => {
    if (pending.length === 0) return writing;
    const batch = pending;
    pending = [];
    writing = writing.then(() => store.write(batch)).then(
      () => {
        delivered += batch.length;
      },
      (err) => {
        failed ??= err;
      },
    );
    return writing;
  };
  const send = async (row) => {
    const t0 = Date.now();
    const ts = Math.floor(t0 / 1000);
    let status = 0;
    try {
      const res = await http.request({
        method: 'POST',
        path: row.path,
        headers: { 'content-type': 'application/json', 'webhook-id': row.id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(row.id, ts, row.body) },
        body: row.body,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      status = res.statusCode;
      await res.body.dump();
    } catch {
      // A failed request is recorded as status 0 (the floor does not retry: the receiver answers 200).
    }
    pending.push({ id: row.id, token: row.lease_token, at: t0, status, ms: Date.now() - t0 });
    if (pending.length >= BATCH) void flush();
  };
  // Claim while there is room, send what was claimed, and flush whatever results are waiting at
  // least once per turn of the loop (so a tail smaller than a batch is not held back).
  while (failed === null) {
    if (!exhausted && inFlight + BATCH <= IN_FLIGHT) {
      const rows = await store.claim(Date.now());
      if (rows.length === 0) exhausted = true;
      for (const row of rows) {
        inFlight++;
        void send(row).finally(() => inFlight--);
      }
      continue;
    }
    if (exhausted && inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 1));
    void flush();
  }
  await flush();
  if (failed) throw failed;
  return { delivered, seconds: (Date.now() - started) / 1000 };
}

if (isMainThread) serveRpc({
  async seed({ store: kind, file, pgUrl, schema, receiverPort, deliveries, endpoints, thread = false }) {
    if (thread && kind !== 'sqlite') throw new Error('the floor runs its store on a thread for SQLite only');
    store = kind === 'sqlite' ? (thread ? threadStore(file) : sqliteStore(file)) : await postgresStore(pgUrl, schema);
    http = new Pool(`http://127.0.0.1:${receiverPort}`, { connections: IN_FLIGHT, pipelining: 1 });
    const run = `floor${process.pid}-${Date.now().toString(36)}`;
    const now = Date.now();
    for (let start = 0; start < deliveries; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(deliveries, start + 1000); i++) {
        const body = JSON.stringify({ type: 'bench.floor', timestamp: new Date(now).toISOString(), data: { sentAt: now, seq: i, conversationId: `conv-${i}`, agent: { id: 'agent-7', name: 'Ada' }, note: PAD } });
        rows.push({ id: `${run}-${String(i).padStart(8, '0')}`, path: `/hook/${i % endpoints}`, body, at: now - deliveries + i });
      }
      await store.seed(rows);
    }
    total = deliveries;
    return { seeded: total };
  },
  drain,
  async close() {
    await http?.close();
    await store?.close();
    return {};
  },
});
