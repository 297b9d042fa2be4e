// What a delivery's three state changes (publish, claim, result) cost the PostgreSQL server under
// several table layouts, measured before building any into the store (docs/performance.md, part nine):
//
//   one-table   the store's layout today: deliveries carries the queue state (status, due time,
//               lease) and seven indexes, four of them unconditional; each state change is a new,
//               non-HOT row version that writes an entry into each of the four.
//   split       a small delivery_queue table (only what is due or in flight, three partial indexes
//               and its key) beside a deliveries table whose indexed columns never change, so its
//               updates can be HOT (fillfactor leaves room on the page). The claim works on the
//               queue; the result deletes the queue row.
//   split-lean  split, with the claim not touching deliveries at all (a delivery's in-flight state
//               read from the queue row).
//   lease-row   one-table, with the claim inserting a lease row instead of updating the delivery.
//   split-lease split, with the queue row never updated: the claim inserts a lease row (part eight's
//               proposal).
//   one-table-c, no-attempt-row: one-table with one thing changed (below), to price that thing.
//
// The statements are the shape of the store's (batch insert by unnest, claim by a due-order index
// range, with FOR UPDATE SKIP LOCKED where the claim updates rows and INSERT ... ON CONFLICT where
// it inserts a lease, fenced result update by unnest, attempts inserted), without the endpoint
// locks, rate slots and ordering keys that cost the same under every layout. One client, so one
// backend: its CPU (from /proc: PostgreSQL must run on this host) is per layout. The WAL figures
// (pg_current_wal_lsn, pg_stat_wal) are the whole cluster's, so they hold autovacuum's WAL and any
// other database's writes too; autovacuum's CPU is not counted.
// Layouts run interleaved, each round in a fresh schema, and the ratios are taken pair by pair.
//
// Usage: node bench/pg-row-lifecycle.js [--deliveries N] [--rounds R] [--history H] [--batch B] [--inflight K]
//        [--layouts one-table,split,...] (the first is the one the ratios are taken against)
// Needs PostgreSQL at PGURL (default postgres://postgres@127.0.0.1:5432/test).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    history: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '100' },
    inflight: { type: 'string', default: '4' },
    layouts: { type: 'string', default: 'one-table,split,split-lean,no-attempt-row' },
  },
});
const DELIVERIES = Number(values.deliveries);
const ROUNDS = Number(values.rounds);
const HISTORY = Number(values.history);
const BATCH = Number(values.batch);
const INFLIGHT = Number(values.inflight);
const ENDPOINTS = 10;
const URL = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/test';

const DELIVERY_COLUMNS = `
  id text PRIMARY KEY, event_id text NOT NULL, endpoint_id text NOT NULL, tenant text,
  event_type text NOT NULL, status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint, lease_token bigint NOT NULL DEFAULT 0, lease_expires_at bigint,
  lease_owner text, last_code text, last_status integer, created_at bigint NOT NULL, updated_at bigint NOT NULL`;
const COLD_INDEXES = `
CREATE INDEX deliveries_list_idx ON deliveries (created_at DESC, id DESC);
CREATE INDEX deliveries_event_idx ON deliveries (event_id);
CREATE INDEX deliveries_endpoint_idx ON deliveries (endpoint_id, created_at DESC, id DESC);`;
const ATTEMPTS = `
CREATE TABLE attempts (
  id text PRIMARY KEY, delivery_id text NOT NULL, endpoint_id text NOT NULL, event_id text NOT NULL,
  tenant text, created_at bigint NOT NULL, duration_ms integer NOT NULL, response_status integer,
  code text NOT NULL, outcome text NOT NULL, request_headers jsonb NOT NULL);
CREATE INDEX attempts_delivery_idx ON attempts (delivery_id, created_at);
CREATE INDEX attempts_endpoint_idx ON attempts (endpoint_id, created_at DESC);`;

const QUEUE_INDEXES = (table) => `
CREATE INDEX ${table}_pending_idx ON ${table} (endpoint_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX ${table}_due_idx ON ${table} (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ${table}_sending_idx ON ${table} (endpoint_id, lease_expires_at) WHERE status = 'sending';`;

const LAYOUTS = {
  'one-table': {
    kind: 'one',
    ddl: `CREATE TABLE deliveries (${DELIVERY_COLUMNS});${QUEUE_INDEXES('deliveries')}${COLD_INDEXES}${ATTEMPTS}`,
  },
  split: {
    kind: 'split',
    ddl: `CREATE TABLE deliveries (${DELIVERY_COLUMNS}) WITH (fillfactor = 70);${COLD_INDEXES}${ATTEMPTS}
CREATE TABLE delivery_queue (id text PRIMARY KEY, endpoint_id text NOT NULL, status text NOT NULL,
  next_attempt_at bigint, lease_token bigint NOT NULL DEFAULT 0, lease_expires_at bigint, lease_owner text);
${QUEUE_INDEXES('delivery_queue')}`,
    claimTouchesDeliveries: true,
  },
  'split-lean': {
    kind: 'split',
    ddl: null, // split's tables
    claimTouchesDeliveries: false,
  },
};
LAYOUTS['split-lean'].ddl = LAYOUTS.split.ddl;
// The price of the attempt row alone: one-table, with a success's attempt kept on the delivery row
// (last_code, last_status) and no attempts insert. Not a layout the store could take as it stands
// (the attempt log is the product), a measure of what the attempts insert costs.
// one-table with the key columns compared byte-wise (COLLATE "C"): a database whose default
// collation is not C (C.UTF-8 included, on PostgreSQL 15) compares every text index key through the
// locale.
const byteWise = (ddl) => ddl.replace(/\b(id|event_id|endpoint_id|delivery_id) text\b/g, '$1 text COLLATE "C"');
LAYOUTS['one-table-c'] = { kind: 'one', ddl: byteWise(LAYOUTS['one-table'].ddl) };
LAYOUTS['no-attempt-row'] = { kind: 'one', ddl: LAYOUTS['one-table'].ddl, attemptRow: false };

// one-table, with the claim writing a lease row instead of a new version of the delivery row: the
// claim inserts into leases (its key and nothing else), the delivery stays 'pending' until its
// result, which deletes the lease. A claim skips deliveries under a lease by an anti-join. The row
// version a claim makes today (a heap tuple and five index entries) becomes a heap tuple and one
// index entry, at the price of the anti-join and the lease's delete.
LAYOUTS['lease-row'] = {
  kind: 'lease',
  ddl: `${LAYOUTS['one-table'].ddl}
CREATE TABLE leases (delivery_id text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, expires_at bigint NOT NULL);`,
};

// Part eight's proposal, whole: split, with the queue row never updated in place. Publish inserts
// the delivery and its queue row (due order, no status), the claim inserts a lease row (skipping
// queue rows under a live lease by an anti-join), the result deletes the lease and the queue row and
// makes the delivery's one HOT update.
LAYOUTS['split-lease'] = {
  kind: 'split-lease',
  ddl: `CREATE TABLE deliveries (${DELIVERY_COLUMNS}) WITH (fillfactor = 70);${COLD_INDEXES}${ATTEMPTS}
CREATE TABLE delivery_queue (id text PRIMARY KEY, endpoint_id text NOT NULL, next_attempt_at bigint NOT NULL);
CREATE INDEX delivery_queue_endpoint_idx ON delivery_queue (endpoint_id, next_attempt_at);
CREATE INDEX delivery_queue_due_idx ON delivery_queue (next_attempt_at);
CREATE TABLE leases (delivery_id text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, expires_at bigint NOT NULL);`,
};

const HEADERS = JSON.stringify({ 'content-type': 'application/json', 'webhook-id': 'msg_x', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,' + 'A'.repeat(44) });

function backendCpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (100/s)
}

let seq = 0;
const ids = (n, prefix) => Array.from({ length: n }, () => `${prefix}_${(seq++).toString(36).padStart(10, '0')}`);

async function publish(client, layout, n, status = 'pending') {
  const now = Date.now();
  const dIds = ids(n, 'dlv');
  const endpoints = dIds.map((_, i) => `ep_${i % ENDPOINTS}`);
  const events = dIds.map((_, i) => `evt_${seq}_${Math.floor(i / ENDPOINTS)}`);
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO deliveries (id, event_id, endpoint_id, tenant, event_type, status, next_attempt_at, created_at, updated_at)
     SELECT u.id, u.ev, u.ep, NULL, 'chat.started', $4, CASE WHEN $4 = 'pending' THEN $5::bigint END, $5, $5
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, ev, ep)`,
    [dIds, events, endpoints, status, now],
  );
  if (status === 'delivered') {
    // History has its attempt rows too, so the attempts indexes have the depth of a table in use.
    await client.query(
      `INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code, outcome, request_headers)
       SELECT 'att_h' || d.id, d.id, d.endpoint_id, d.event_id, NULL, d.created_at, 3, 200, 'ok', 'success', $2::jsonb
       FROM deliveries d WHERE d.id = ANY($1::text[])`,
      [dIds, HEADERS],
    );
  }
  if (LAYOUTS[layout].kind === 'split-lease' && status === 'pending') {
    await client.query(
      `INSERT INTO delivery_queue (id, endpoint_id, next_attempt_at)
       SELECT u.id, u.ep, $3 FROM unnest($1::text[], $2::text[]) AS u(id, ep)`,
      [dIds, endpoints, now],
    );
  }
  if (LAYOUTS[layout].kind === 'split' && status === 'pending') {
    await client.query(
      `INSERT INTO delivery_queue (id, endpoint_id, status, next_attempt_at)
       SELECT u.id, u.ep, 'pending', $3 FROM unnest($1::text[], $2::text[]) AS u(id, ep)`,
      [dIds, endpoints, now],
    );
  }
  await client.query('COMMIT');
}

// The two lease-row layouts (lease-row, split-lease) share the lease statements. A claim inserts
// the leases of `c` (rows `source` selects), taking over only an expired one, and returns the
// claimed deliveries; a result deletes the fenced leases first.
const insertLeases = (source) => `l AS (
         INSERT INTO leases (delivery_id, token, owner, expires_at) ${source}
         ON CONFLICT (delivery_id) DO UPDATE SET token = excluded.token, owner = excluded.owner, expires_at = excluded.expires_at
           WHERE leases.expires_at <= $1
         RETURNING delivery_id, token
       ) SELECT d.*, l.token FROM l JOIN deliveries d ON d.id = l.delivery_id`;
const FENCED_LEASES = `fenced AS (
         DELETE FROM leases l USING unnest($1::text[], $2::bigint[]) AS u(id, token)
         WHERE l.delivery_id = u.id AND l.token = u.token
         RETURNING l.delivery_id AS id, l.token
       )`;

async function claim(client, layout) {
  const now = Date.now();
  await client.query('BEGIN');
  let rows;
  if (LAYOUTS[layout].kind === 'split-lease') {
    ({ rows } = await client.query(
      `WITH c AS (
         SELECT q.id FROM delivery_queue q
         WHERE q.next_attempt_at <= $1
           AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.delivery_id = q.id AND l.expires_at > $1)
         ORDER BY q.next_attempt_at LIMIT $2
       ), ${insertLeases("SELECT c.id, d.lease_token + 1, 'w1', $1 + 30000 FROM c JOIN deliveries d ON d.id = c.id")}`,
      [now, BATCH],
    ));
  } else if (LAYOUTS[layout].kind === 'lease') {
    ({ rows } = await client.query(
      `WITH c AS (
         SELECT d.id, d.lease_token + 1 AS token FROM deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
           AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.delivery_id = d.id AND l.expires_at > $1)
         ORDER BY d.next_attempt_at LIMIT $2
       ), ${insertLeases("SELECT c.id, c.token, 'w1', $1 + 30000 FROM c")}`,
      [now, BATCH],
    ));
  } else if (LAYOUTS[layout].kind === 'one') {
    ({ rows } = await client.query(
      `UPDATE deliveries d SET status = 'sending', lease_token = d.lease_token + 1, lease_owner = 'w1',
              lease_expires_at = $1 + 30000, updated_at = $1
       WHERE d.id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING d.*`,
      [now, BATCH],
    ));
  } else {
    const touch = LAYOUTS[layout].claimTouchesDeliveries;
    ({ rows } = await client.query(
      `WITH q AS (
         UPDATE delivery_queue q SET status = 'sending', lease_token = q.lease_token + 1, lease_owner = 'w1',
                lease_expires_at = $1 + 30000
         WHERE q.id IN (SELECT id FROM delivery_queue WHERE status = 'pending' AND next_attempt_at <= $1
                        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING q.id, q.lease_token, q.lease_owner, q.lease_expires_at
       )${touch ? `, d AS (
         UPDATE deliveries d SET status = 'sending', updated_at = $1 FROM q WHERE d.id = q.id RETURNING d.*
       ) SELECT d.*, q.lease_token AS token FROM d JOIN q ON q.id = d.id`
        : ` SELECT d.*, q.lease_token AS token FROM q JOIN deliveries d ON d.id = q.id`}`,
      [now, BATCH],
    ));
  }
  await client.query('COMMIT');
  return rows;
}

async function result(client, layout, claimed) {
  const now = Date.now();
  const dIds = claimed.map((r) => r.id);
  const tokens = claimed.map((r) => String(r.token ?? r.lease_token));
  const aIds = ids(claimed.length, 'att');
  const attempts = `INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms,
                                          response_status, code, outcome, request_headers)
    SELECT a.id, d.id, d.endpoint_id, d.event_id, d.tenant, $3, 3, 200, 'ok', 'success', $4::jsonb
    FROM updated d JOIN unnest($1::text[], $5::text[]) AS a(delivery_id, id) ON a.delivery_id = d.id`;
  if (LAYOUTS[layout].kind === 'split-lease') {
    await client.query(
      `WITH ${FENCED_LEASES}, dequeued AS (
         DELETE FROM delivery_queue q USING fenced f WHERE q.id = f.id
       ), updated AS (
         UPDATE deliveries d SET status = 'delivered', next_attempt_at = NULL, last_code = 'ok', last_status = 200,
                attempts = d.attempts + 1, lease_token = f.token, updated_at = $3
         FROM fenced f WHERE d.id = f.id
         RETURNING d.id, d.endpoint_id, d.event_id, d.tenant
       ) ${attempts}`,
      [dIds, tokens, now, HEADERS, aIds],
    );
  } else if (LAYOUTS[layout].kind === 'lease') {
    await client.query(
      `WITH ${FENCED_LEASES}, updated AS (
         UPDATE deliveries d SET status = 'delivered', next_attempt_at = NULL, last_code = 'ok', last_status = 200,
                attempts = d.attempts + 1, lease_token = f.token, updated_at = $3
         FROM fenced f WHERE d.id = f.id AND d.status = 'pending'
         RETURNING d.id, d.endpoint_id, d.event_id, d.tenant
       ) ${attempts}`,
      [dIds, tokens, now, HEADERS, aIds],
    );
  } else if (LAYOUTS[layout].kind === 'one') {
    const tail = LAYOUTS[layout].attemptRow === false ? 'SELECT count(*) FROM updated WHERE $4::text IS NOT NULL AND $5::text[] IS NOT NULL' : attempts;
    await client.query(
      `WITH updated AS (
         UPDATE deliveries d SET status = 'delivered', next_attempt_at = NULL, last_code = 'ok', last_status = 200,
                attempts = d.attempts + 1, updated_at = $3, lease_owner = NULL, lease_expires_at = NULL
         FROM unnest($1::text[], $2::bigint[]) AS u(id, token)
         WHERE d.id = u.id AND d.lease_token = u.token AND d.status = 'sending'
         RETURNING d.id, d.endpoint_id, d.event_id, d.tenant
       ) ${tail}`,
      [dIds, tokens, now, HEADERS, aIds],
    );
  } else {
    await client.query(
      `WITH fenced AS (
         DELETE FROM delivery_queue q USING unnest($1::text[], $2::bigint[]) AS u(id, token)
         WHERE q.id = u.id AND q.lease_token = u.token AND q.status = 'sending'
         RETURNING q.id
       ), updated AS (
         UPDATE deliveries d SET status = 'delivered', next_attempt_at = NULL, last_code = 'ok', last_status = 200,
                attempts = d.attempts + 1, updated_at = $3
         FROM fenced f WHERE d.id = f.id
         RETURNING d.id, d.endpoint_id, d.event_id, d.tenant
       ) ${attempts}`,
      [dIds, tokens, now, HEADERS, aIds],
    );
  }
}

async function runOne(layout, round) {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  const schema = `hookd_lifecycle_${layout.replaceAll('-', '_')}_${round}`;
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
  await client.query(LAYOUTS[layout].ddl);
  // The checkpoint comes first, so the history's first touch of each page pays its full-page image,
  // not the measured run.
  await client.query('CHECKPOINT');
  // History: delivered rows, so the cold indexes have the depth of a table in use.
  for (let i = 0; i < HISTORY; i += 5000) await publish(client, layout, Math.min(5000, HISTORY - i), 'delivered');
  await client.query('VACUUM (ANALYZE) deliveries');
  await client.query('VACUUM (ANALYZE) attempts');
  if (LAYOUTS[layout].kind.startsWith('split')) await client.query('VACUUM (ANALYZE) delivery_queue');
  const { rows: [{ pid }] } = await client.query('SELECT pg_backend_pid() AS pid');
  const { rows: [{ lsn: lsn0 }] } = await client.query('SELECT pg_current_wal_lsn() AS lsn');
  const wal = `SELECT wal_records::bigint AS records, wal_fpi::bigint AS fpi FROM pg_stat_wal`;
  // A backend sends its statistics (pg_stat_wal, pg_stat_user_tables) at most once a second unless
  // told: flush before each reading, so both readings hold everything done before them.
  const flushStats = async () => {
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT 1');
  };
  await flushStats();
  const { rows: [wal0] } = await client.query(wal);
  const cpu0 = backendCpuSeconds(pid);
  const t0 = performance.now();
  let delivered = 0;
  // A steady pipeline: publish a batch, claim a batch, and write the results of the batch claimed
  // INFLIGHT claims ago, so that many batches are always in flight (leased, not yet finished), as
  // in a running dispatcher: every claim then meets live leases, and the layouts that keep a claimed
  // row where the claim looks (lease-row, split-lease) pay for stepping over it.
  const inflight = [];
  const finish = async (claimed) => {
    await client.query('BEGIN');
    await result(client, layout, claimed);
    await client.query('COMMIT');
    delivered += claimed.length;
  };
  while (delivered + inflight.reduce((n, c) => n + c.length, 0) < DELIVERIES) {
    await publish(client, layout, BATCH);
    const claimed = await claim(client, layout);
    if (claimed.length === 0) throw new Error(`${layout}: claim found nothing`);
    inflight.push(claimed);
    if (inflight.length > INFLIGHT) await finish(inflight.shift());
  }
  while (inflight.length > 0) await finish(inflight.shift());
  const seconds = (performance.now() - t0) / 1000;
  const cpu = backendCpuSeconds(pid) - cpu0;
  await flushStats();
  const { rows: [wal1] } = await client.query(wal);
  const { rows: [{ bytes }] } = await client.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS bytes`, [lsn0]);
  const { rows: [hot] } = await client.query(
    `SELECT sum(n_tup_upd)::int AS upd, sum(n_tup_hot_upd)::int AS hot FROM pg_stat_user_tables
     WHERE schemaname = $1 AND relname = 'deliveries'`,
    [schema],
  );
  const { rows: [{ total }] } = await client.query(`SELECT count(*)::int AS total FROM deliveries WHERE status = 'delivered'`);
  if (total !== HISTORY + delivered) throw new Error(`${layout}: ${total} delivered, expected ${HISTORY + delivered}`);
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
  return {
    usPerDelivery: (cpu * 1e6) / delivered,
    walBytesPerDelivery: Number(bytes) / delivered,
    walRecordsPerDelivery: (Number(wal1.records) - Number(wal0.records)) / delivered,
    fpiPerDelivery: (Number(wal1.fpi) - Number(wal0.fpi)) / delivered,
    perSecond: delivered / seconds,
    hotShare: hot.upd ? hot.hot / hot.upd : 0,
  };
}

const order = values.layouts.split(',');
for (const layout of order) if (!LAYOUTS[layout]) throw new Error(`unknown layout ${layout}: ${Object.keys(LAYOUTS).join(', ')}`);
const results = Object.fromEntries(order.map((l) => [l, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const layout of round % 2 ? [...order].reverse() : order) {
    const r = await runOne(layout, round);
    results[layout].push(r);
    console.log(`round ${round + 1} ${layout.padEnd(10)} server CPU ${r.usPerDelivery.toFixed(1)} us/delivery, WAL ${r.walBytesPerDelivery.toFixed(0)} B ${r.walRecordsPerDelivery.toFixed(1)} records ${r.fpiPerDelivery.toFixed(2)} FPI /delivery, ${r.perSecond.toFixed(0)} deliveries/s, deliveries HOT ${(r.hotShare * 100).toFixed(0)}%`);
  }
}
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
console.log(`\n${DELIVERIES} deliveries per run, batch ${BATCH}, ${INFLIGHT} batches in flight, ${HISTORY} delivered rows of history, ${ROUNDS} rounds; ratios to ${order[0]}, pair by pair (median, range)`);
for (const layout of order.slice(1)) {
  for (const key of ['usPerDelivery', 'walBytesPerDelivery', 'walRecordsPerDelivery']) {
    const ratios = results[layout].map((r, i) => r[key] / results[order[0]][i][key]);
    console.log(`${layout.padEnd(10)} ${key.padEnd(20)} ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`);
  }
}
