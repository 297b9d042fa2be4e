// `node bench/search.js`: what event search costs at 1,000,000 events, on SQLite and PostgreSQL
// (issue 21). Migrates a fresh store of each kind through the real adapter, fills it with events by
// bulk SQL (the publish path is measured elsewhere, docs/performance.md), then times each search
// shape through the store's own listEventsFeed (median of 5 after one warm-up) and reports index
// sizes and the write cost the search indexes add. Results print as a table and go to
// bench/out/search-<time>.json. Needs `npm run build` (it runs the built adapters).
//
//   node bench/search.js [--events N] [--store sqlite|postgres]

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createAesGcmBox } from '../dist/security/aes-gcm-box.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';

const OUT = fileURLToPath(new URL('out/', import.meta.url));
const PG_URL = process.env.HOOKD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}
const EVENTS = Number(arg('--events', '1000000'));
const STORES = arg('--store', 'sqlite,postgres').split(',');
const T0 = Date.parse('2026-01-01T00:00:00Z');
const TENANTS = 100;

// One event in 1,000 is a vip customer (a selective match); tiers otherwise alternate (a common one).
// Types: 8 families of 4, so a prefix selects 1/8. One event a second.
function eventRow(n) {
  const tier = n % 1000 === 0 ? 'vip' : n % 2 === 0 ? 'gold' : 'basic';
  const family = ['order', 'chat', 'call', 'payment', 'ticket', 'invoice', 'user', 'survey'][n % 8];
  const verb = ['created', 'updated', 'closed', 'noted'][Math.floor(n / 8) % 4];
  return {
    id: `evt_${n.toString(16).padStart(32, '0')}`,
    type: `${family}.${verb}`,
    tenant: `t${n % TENANTS}`,
    payload: JSON.stringify({ customer: { id: `c${n % 50_000}`, tier }, order: { total: n % 500, lines: [{ sku: `s${n % 97}` }] }, channel: n % 3 === 0 ? 'web' : 'whatsapp' }),
    idempotency_key: `k-${n}`,
    created_at: T0 + n * 1000,
  };
}

function searches(n) {
  const mid = Math.floor(n / 2);
  return [
    ['match, selective (1 in 1,000)', { match: '{"customer":{"tier":"vip"}}' }],
    ['match, common (1 in 2), first page', { match: '{"customer":{"tier":"gold"}}' }],
    ['match, no hit', { match: '{"customer":{"tier":"platinum"}}' }],
    ['match + tenant', { match: '{"customer":{"tier":"vip"}}', tenant: 't0' }],
    ['match, nested array element', { match: '{"order":{"lines":[{"sku":"s5"}]}}' }],
    ['tenant', { tenant: 't42' }],
    ['type prefix', { typePrefix: 'payment.' }],
    ['type prefix + tenant', { typePrefix: 'payment.', tenant: 't43' }],
    ['id', { id: eventRow(mid).id }],
    ['idempotency key (admin, any tenant)', { idempotencyKey: `k-${mid}` }],
    ['idempotency key + tenant', { idempotencyKey: `k-${mid}`, tenant: `t${mid % TENANTS}` }],
    ['time range (1 h)', { since: T0 + mid * 1000, until: T0 + mid * 1000 + 3_600_000 }],
    ['time range + match', { since: T0 + mid * 1000, until: T0 + (mid + 86_400) * 1000, match: '{"customer":{"tier":"vip"}}' }],
    ['feed page (no filter)', {}],
  ];
}

async function time(fn) {
  const start = process.hrtime.bigint();
  const out = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out };
}

async function measure(store, n) {
  const rows = [];
  for (const [name, filter] of searches(n)) {
    const run = () => store.listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 50, ...filter });
    await run();
    const times = [];
    let found = 0;
    for (let i = 0; i < 5; i++) {
      const t = await time(run);
      times.push(t.ms);
      found = t.out.length;
    }
    times.sort((a, b) => a - b);
    rows.push({ search: name, medianMs: +times[2].toFixed(2), maxMs: +times[4].toFixed(2), rows: found });
  }
  return rows;
}

async function benchSqlite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookd-search-bench-'));
  const file = path.join(dir, 'hookd.db');
  try {
    const store = createSqliteStore({ path: file, secretBox: createAesGcmBox(randomBytes(32)) });
    await store.migrate();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare('INSERT INTO events (id, type, tenant, payload, idempotency_key, created_at) VALUES (@id, @type, @tenant, @payload, @idempotency_key, @created_at)');
    const fill = db.transaction((from, to) => {
      for (let n = from; n < to; n++) insert.run(eventRow(n));
    });
    const load = await time(async () => {
      for (let n = 0; n < EVENTS; n += 50_000) fill(n, Math.min(EVENTS, n + 50_000));
    });
    // The write cost of the two search indexes: the same 20,000 more events with and without them.
    const extra = 20_000;
    const withIdx = await time(async () => fill(EVENTS, EVENTS + extra));
    db.exec('DROP INDEX events_tenant_seq; DROP INDEX events_type_seq;');
    const withoutIdx = await time(async () => fill(EVENTS + extra, EVENTS + 2 * extra));
    db.exec('CREATE INDEX events_tenant_seq ON events (tenant, seq); CREATE INDEX events_type_seq ON events (type, seq);');
    db.exec('DELETE FROM events WHERE seq > ' + EVENTS + '; ANALYZE;');
    const sizes = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name IN ('events', 'events_tenant_seq', 'events_type_seq') GROUP BY name").all();
    db.close();
    const rows = await measure(store, EVENTS);
    await store.close();
    return {
      store: 'sqlite',
      loadSeconds: +(load.ms / 1000).toFixed(1),
      insertPer1000WithSearchIndexesMs: +((withIdx.ms / extra) * 1000).toFixed(1),
      insertPer1000WithoutMs: +((withoutIdx.ms / extra) * 1000).toFixed(1),
      sizes: Object.fromEntries(sizes.map((s) => [s.name, s.bytes])),
      fileBytes: statSync(file).size,
      rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres() {
  const schema = `bench_search_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const store = createPostgresStore({ connectionString: PG_URL, schema, secretBox: createAesGcmBox(randomBytes(32)) });
    await store.migrate();
    await admin.query(`SET search_path TO ${schema}`);
    const fillSql = (from, to) => `INSERT INTO events (id, type, tenant, payload, idempotency_key, created_at)
      SELECT 'evt_' || lpad(to_hex(n), 32, '0'),
             (ARRAY['order','chat','call','payment','ticket','invoice','user','survey'])[n % 8 + 1] || '.' || (ARRAY['created','updated','closed','noted'])[(n / 8) % 4 + 1],
             't' || (n % ${TENANTS}),
             json_build_object('customer', json_build_object('id', 'c' || (n % 50000), 'tier', CASE WHEN n % 1000 = 0 THEN 'vip' WHEN n % 2 = 0 THEN 'gold' ELSE 'basic' END),
                               'order', json_build_object('total', n % 500, 'lines', json_build_array(json_build_object('sku', 's' || (n % 97)))),
                               'channel', CASE WHEN n % 3 = 0 THEN 'web' ELSE 'whatsapp' END)::text,
             'k-' || n, ${T0}::bigint + n::bigint * 1000
      FROM generate_series(${from}, ${to - 1}) AS n`;
    const load = await time(async () => {
      for (let n = 0; n < EVENTS; n += 100_000) await admin.query(fillSql(n, Math.min(EVENTS, n + 100_000)));
    });
    const extra = 20_000;
    const withIdx = await time(() => admin.query(fillSql(EVENTS, EVENTS + extra)));
    await admin.query('DROP INDEX events_data_gin; DROP INDEX events_type_seq_idx');
    const withoutIdx = await time(() => admin.query(fillSql(EVENTS + extra, EVENTS + 2 * extra)));
    await admin.query(`DELETE FROM events WHERE seq > (SELECT min(seq) FROM events WHERE id = 'evt_' || lpad(to_hex(${EVENTS}), 32, '0')) - 1`);
    const ginBuild = await time(() => admin.query('CREATE INDEX events_data_gin ON events USING gin ((hookd_jsonb(payload)) jsonb_path_ops)'));
    await admin.query('CREATE INDEX events_type_seq_idx ON events ((type COLLATE "C"), seq)');
    await admin.query('VACUUM ANALYZE events');
    const { rows: sizes } = await admin.query(`SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
      WHERE ns.nspname = $1 AND (c.relname = 'events' OR c.relname LIKE 'events\\_%') ORDER BY c.relname`, [schema]);
    const rows = await measure(store, EVENTS);
    await store.close();
    return {
      store: 'postgres',
      loadSeconds: +(load.ms / 1000).toFixed(1),
      ginBuildSeconds: +(ginBuild.ms / 1000).toFixed(1),
      insertPer1000WithSearchIndexesMs: +((withIdx.ms / extra) * 1000).toFixed(1),
      insertPer1000WithoutMs: +((withoutIdx.ms / extra) * 1000).toFixed(1),
      sizes: Object.fromEntries(sizes.map((s) => [s.name, Number(s.bytes)])),
      rows,
    };
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

const results = [];
for (const kind of STORES) {
  process.stderr.write(`${kind}: filling ${EVENTS.toLocaleString('en')} events...\n`);
  const r = kind === 'sqlite' ? await benchSqlite() : await benchPostgres();
  results.push(r);
  const { rows, ...summary } = r;
  console.log(JSON.stringify(summary));
  console.table(rows);
}
mkdirSync(OUT, { recursive: true });
const file = path.join(OUT, `search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ events: EVENTS, at: new Date().toISOString(), cpus: os.cpus().length, results }, null, 2));
process.stderr.write(`wrote ${file}\n`);
