// The scenarios of issue 9. Each takes a started target instance (hookd or the peer) plus the shared
// receiver and load generator, and returns its figures. Throughput is measured at the receiver: from
// the moment the first publish request was sent to the moment the last distinct delivery arrived.
// Every scenario also reports what the receiver saw beyond the expected set (lost, duplicates) and
// the CPU each process used during the window (on 2 cores, 200% is the whole machine).

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PG_URL, createDatabase } from './hookd-server.js';
import { cpuPerDeliveryUs } from './measure.js';
import { startMeter } from './meter.js';
import { forkWorker, nowMs, sampleRss, sleep } from './procs.js';

const FLOOR = fileURLToPath(new URL('../floor-sender.js', import.meta.url));

const WAIT_MS = 300_000;

/**
 * The figures every throughput scenario reports about CPU: percent of one core per group (as
 * before), CPU microseconds per delivery of the system and, on PostgreSQL, of its server backends,
 * the load average before and after, and the competition flag (bench/lib/meter.js).
 */
function cpuFigures(m, deliveries) {
  const percent = Object.fromEntries(Object.entries(m.cpu).filter(([k]) => k !== 'pgBackends' && k !== 'pgWaits').map(([k, v]) => [k, Math.round((v / m.seconds) * 100)]));
  return {
    cpu: percent,
    cpuUs: { system: cpuPerDeliveryUs(m.cpu.system, deliveries), pg: m.cpu.pg === undefined ? null : cpuPerDeliveryUs(m.cpu.pg, deliveries) },
    pgBackends: m.cpu.pgBackends ?? null,
    pgWaits: m.cpu.pgWaits ?? null,
    loadBefore: m.loadBefore,
    loadAfter: m.loadAfter,
    otherCores: m.otherCores,
    flag: m.flag,
  };
}

function integrity(expected, seen, publish) {
  return {
    expected,
    lost: Math.max(0, expected - seen.unique),
    duplicates: seen.duplicates,
    unexpected: Math.max(0, seen.unique - expected),
    publishErrors: publish.errors ?? [],
    publishedDeliveries: publish.deliveries,
  };
}

/** The warm-up's deliveries count too: one lost or duplicated there is as lost as any other. */
function withCold(steady, cold) {
  if (!cold) return steady;
  return {
    ...steady,
    expected: steady.expected + cold.expected,
    lost: steady.lost + cold.lost,
    duplicates: steady.duplicates + cold.duplicates,
    unexpected: steady.unexpected + cold.unexpected,
    publishErrors: [...steady.publishErrors, ...cold.publishErrors],
    publishedDeliveries: steady.publishedDeliveries + cold.publishedDeliveries,
  };
}

async function endpoints(sys, receiver, count, opts = {}) {
  for (let i = 0; i < count; i++) await sys.createEndpoint(`http://127.0.0.1:${receiver.port}/hook/${i}`, { ...opts, eventTypes: opts.eventTypes?.(i) ?? null });
}

/** Publish `events` events to `fanout` endpoints as fast as possible and wait for every delivery. */
async function burst(sys, env, { events, fanout, maxConcurrency, signing, transform, orderingKeys = 0 }) {
  const { receiver, loadgen, opts } = env;
  await endpoints(sys, receiver, fanout, { maxConcurrency, signing, transform });
  await receiver.rpc.call('reset');
  const walBefore = sys.pgSchema ? await pgWrites(sys.pgSchema) : null;
  const meter = await startMeter({ system: sys.pids, receiver: () => [receiver.pid], loadgen: () => [loadgen.pid] }, { pgUrl: sys.pgUrl });
  const publish =
    opts.publish === 'single'
      ? await loadgen.call('single', { origin: sys.origin, path: sys.singlePath, headers: sys.headers, events, concurrency: 64, types: ['bench.burst'] })
      : await loadgen.call('batch', { origin: sys.origin, path: sys.batchPath, headers: sys.headers, events, batchSize: opts.batchSize, concurrency: 2, types: ['bench.burst'], orderingKeys });
  const expected = events * fanout;
  const seen = await receiver.rpc.call('wait', { expect: expected, timeoutMs: WAIT_MS }, WAIT_MS + 10_000);
  const end = seen.lastAt ?? nowMs();
  const seconds = (end - publish.startedAt) / 1000;
  return {
    rate: seen.unique / seconds,
    seconds,
    publishSeconds: (publish.finishedAt - publish.startedAt) / 1000,
    ...cpuFigures(await meter.stop(), seen.unique),
    // After the meter: 2 s for the backends to send their statistics (hookd's polls end transactions).
    ...(sys.metricsText ? { store: storeRoundTrips(await sys.metricsText().catch(() => ''), seen.unique) } : {}),
    ...(walBefore ? { pg: pgPerDelivery(walBefore, await sleep(2000).then(() => pgWrites(sys.pgSchema)), seen.unique) } : {}),
    ...integrity(expected, seen, publish),
  };
}

/**
 * Store round trips per delivery from hookd's own /metrics (a fresh process per scenario, so the
 * counters cover exactly this run): claims (and deliveries per claim), result writes, publishes.
 */
export function storeRoundTrips(text, deliveries, since = '') {
  const counters = (t) => {
    const value = (re) => {
      const m = re.exec(t);
      return m ? Number(m[1]) : null;
    };
    const op = (name) => value(new RegExp(`^hookd_db_operation_duration_seconds_count\\{[^}]*operation="${name}"[^}]*result="ok"[^}]*\\} ([0-9.e+]+)$`, 'm'));
    return { claims: value(/^hookd_claim_batch_size_count ([0-9.e+]+)$/m), claimed: value(/^hookd_claim_batch_size_sum ([0-9.e+]+)$/m), results: op('record_results'), publishes: op('publish') };
  };
  // `since`: the same metrics read at the start of the window, so only the window counts.
  const now = counters(text);
  const then = counters(since);
  const delta = (k) => (now[k] === null ? null : now[k] - (then[k] ?? 0));
  const claims = delta('claims');
  const per = (n) => (n === null || !(deliveries > 0) ? null : n / deliveries);
  return { claimsPerDelivery: per(claims), deliveriesPerClaim: claims ? delta('claimed') / claims : null, resultWritesPerDelivery: per(delta('results')), publishesPerDelivery: per(delta('publishes')) };
}

/**
 * PostgreSQL writes: the server's WAL position (server-wide, so other sessions' writes count too:
 * the competition flag says when there were any) and, for this run's schema, rows inserted,
 * updated and HOT-updated per table and the index entries it holds. Statistics are sent by backends
 * at the end of a transaction, with up to a second's delay: pgPerDelivery reads them after the run.
 */
async function pgWrites(schema) {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'hookd-bench-meter' });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const wal = (await client.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    const tables = (await client.query(`SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE schemaname = $1`, [schema])).rows;
    const indexes = (await client.query(`SELECT count(*)::int AS n, t.relname FROM pg_stat_user_indexes i JOIN pg_stat_user_tables t USING (relid) WHERE i.schemaname = $1 GROUP BY t.relname`, [schema])).rows;
    return { wal, tables, indexes };
  } finally {
    await client.end();
  }
}

const lsnBytes = (lsn) => {
  const [hi, lo] = lsn.split('/').map((x) => BigInt(`0x${x}`));
  return Number((hi << 32n) + lo);
};

function pgPerDelivery(before, after, deliveries) {
  if (!(deliveries > 0)) return null;
  const per = {};
  for (const t of after.tables) {
    const b = before.tables.find((x) => x.relname === t.relname) ?? { ins: 0, upd: 0, hot: 0 };
    const ins = t.ins - b.ins;
    const upd = t.upd - b.upd;
    if (ins === 0 && upd === 0) continue;
    per[t.relname] = { inserts: ins / deliveries, updates: upd / deliveries, hotUpdates: (t.hot - b.hot) / deliveries, indexes: after.indexes.find((i) => i.relname === t.relname)?.n ?? 0 };
  }
  return { walBytesPerDelivery: (lsnBytes(after.wal) - lsnBytes(before.wal)) / deliveries, tables: per };
}

/** A typical small transform: reshape the body and add a header. */
const SMALL_TRANSFORM = `function transform(w) {
  w.body = { kind: w.event.type, tenant: w.event.tenant, at: w.event.createdAt, payload: w.body.data };
  w.headers['x-bench'] = 'transform';
  return w;
}`;

export const SCENARIOS = {
  raw: {
    targets: ['raw'],
    async run(_sys, { receiver, loadgen, opts }) {
      await receiver.rpc.call('reset');
      const requests = opts.rawRequests;
      const meter = await startMeter({ receiver: () => [receiver.pid], loadgen: () => [loadgen.pid] });
      const res = await loadgen.call('raw', { origin: `http://127.0.0.1:${receiver.port}`, requests, connections: opts.rawConnections });
      const seen = await receiver.rpc.call('wait', { expect: requests, timeoutMs: 60_000 }, 70_000);
      const end = seen.lastAt ?? nowMs();
      const m = await meter.stop();
      return { rate: seen.unique / ((end - res.startedAt) / 1000), cpu: cpuFigures(m, seen.unique).cpu, loadBefore: m.loadBefore, loadAfter: m.loadAfter, otherCores: m.otherCores, flag: m.flag, ...integrity(requests, seen, { deliveries: res.ok, errors: res.errors }) };
    },
  },

  'burst-1x': {
    async run(sys, env) {
      return burst(sys, env, { events: env.opts.burstEvents, fanout: 1, maxConcurrency: env.opts.maxConcurrency });
    },
  },

  'burst-fanout': {
    async run(sys, env) {
      return burst(sys, env, { events: env.opts.fanoutEvents, fanout: 10, maxConcurrency: env.opts.maxConcurrency });
    },
  },

  // The same burst with every endpoint signing with ed25519 (v1a) instead of HMAC (v1): the report
  // gives its rate as a share of burst-fanout in the same run. hookd only (the peer has no ed25519).
  'burst-fanout-ed25519': {
    hookdOnly: true,
    async run(sys, env) {
      return burst(sys, env, { events: env.opts.fanoutEvents, fanout: 10, maxConcurrency: env.opts.maxConcurrency, signing: 'ed25519' });
    },
  },

  // The same burst with a small JavaScript transform on every endpoint (run in the QuickJS sandbox
  // once per attempt): the report gives its rate as a share of burst-fanout in the same run.
  transform: {
    hookdOnly: true,
    async run(sys, env) {
      return burst(sys, env, { events: env.opts.fanoutEvents, fanout: 10, maxConcurrency: env.opts.maxConcurrency, transform: { code: SMALL_TRANSFORM } });
    },
  },

  // The burst-fanout run with every event carrying one of 1,000 ordering keys (docs/routing.md,
  // "Ordering"): per endpoint and key one delivery at a time, in publish order. The report gives its
  // rate as a share of burst-fanout in the same run. hookd only (the peer has no ordering).
  ordered: {
    hookdOnly: true,
    async run(sys, env) {
      return burst(sys, env, { events: env.opts.fanoutEvents, fanout: 10, maxConcurrency: env.opts.maxConcurrency, orderingKeys: 1000 });
    },
  },

  paced: {
    /**
     * A fresh process first runs `pacedWarmupSeconds` at the same rate (its own figures: `cold*`,
     * what a just-started system gives), then the measured `pacedSeconds`: the steady state, which
     * the p50/p99, the CPU per delivery and the targets are taken from. Every system gets the same.
     * Without the warm-up, the first ~2 s of cold code were more than the 1% a p99 is made of
     * (docs/performance.md, "The paced tail, profiled").
     */
    async run(sys, { receiver, loadgen, opts }) {
      await endpoints(sys, receiver, 1, { maxConcurrency: opts.maxConcurrency });
      let cold = null;
      if (opts.pacedWarmupSeconds > 0) {
        await receiver.rpc.call('reset');
        const warm = await loadgen.call('paced', { origin: sys.origin, path: sys.singlePath, headers: sys.headers, rate: opts.pacedRate, durationMs: opts.pacedWarmupSeconds * 1000, types: ['bench.paced'] }, 200_000);
        const seen = await receiver.rpc.call('wait', { expect: warm.sent, timeoutMs: 60_000 }, 70_000);
        cold = { latency: seen.latency, ...integrity(warm.sent, seen, warm) };
      }
      await receiver.rpc.call('reset');
      const metricsBefore = sys.metricsText ? await sys.metricsText().catch(() => '') : null;
      const meter = await startMeter({ system: sys.pids, receiver: () => [receiver.pid], loadgen: () => [loadgen.pid] }, { pgUrl: sys.pgUrl });
      const publish = await loadgen.call('paced', { origin: sys.origin, path: sys.singlePath, headers: sys.headers, rate: opts.pacedRate, durationMs: opts.pacedSeconds * 1000, types: ['bench.paced'] }, 200_000);
      const seen = await receiver.rpc.call('wait', { expect: publish.sent, timeoutMs: 60_000 }, 70_000);
      return {
        p50: seen.latency.p50,
        p99: seen.latency.p99,
        max: seen.latency.max,
        achievedRate: publish.achievedRate,
        maxSendLagMs: publish.maxLagMs,
        coldSeconds: cold ? opts.pacedWarmupSeconds : 0,
        coldP50: cold?.latency.p50 ?? null,
        coldP99: cold?.latency.p99 ?? null,
        ...cpuFigures(await meter.stop(), seen.unique),
        ...(metricsBefore !== null ? { store: storeRoundTrips(await sys.metricsText().catch(() => ''), seen.unique, metricsBefore) } : {}),
        ...withCold(integrity(publish.sent, seen, publish), cold),
      };
    },
  },

  isolation: {
    /**
     * 50 healthy endpoints and one that never answers (a black-hole port: connections accepted,
     * requests read, no response ever). Events are routed one endpoint each by type, paced, so the
     * bad endpoint gets its share of the traffic. The baseline is the identical run without the bad
     * endpoint (its events then have no subscriber).
     */
    async run(sys, env, { withBad }) {
      const { receiver, loadgen, opts } = env;
      const healthy = 50;
      const types = Array.from({ length: healthy + 1 }, (_, i) => (i === healthy ? 'iso.bad' : `iso.${i}`));
      await endpoints(sys, receiver, healthy, { eventTypes: (i) => [`iso.${i}`] });
      if (withBad) await sys.createEndpoint(`http://127.0.0.1:${receiver.blackholePort}/hook/bad`, { eventTypes: ['iso.bad'] });
      await receiver.rpc.call('reset');
      const publish = await loadgen.call('paced', { origin: sys.origin, path: sys.singlePath, headers: sys.headers, rate: opts.isolationRate, durationMs: opts.isolationSeconds * 1000, types }, 200_000);
      let expected = 0;
      for (let seq = 0; seq < publish.sent; seq++) if (seq % types.length < healthy) expected++;
      const seen = await receiver.rpc.call('wait', { expect: expected, timeoutMs: 60_000 }, 70_000);
      return { p50: seen.latency.p50, p99: seen.latency.p99, max: seen.latency.max, badRequests: seen.blackholeHits, ...integrity(expected, seen, { ...publish, deliveries: publish.deliveries - (withBad ? publish.sent - expected : 0) }) };
    },
  },

  backlog: {
    /**
     * An outage: events are accepted while nothing delivers (hookd --role api; the peer without its
     * worker), then delivery starts (a fresh hookd process on the same database; the peer's worker).
     * Drain rate counts from the first to the last arrival; RSS is sampled every 200 ms while draining.
     */
    async run(sys, { receiver, loadgen, opts }) {
      const fanout = 10;
      const events = Math.ceil(opts.backlogDeliveries / fanout);
      await endpoints(sys, receiver, fanout, { maxConcurrency: opts.maxConcurrency });
      const publish = await loadgen.call('batch', { origin: sys.origin, path: sys.batchPath, headers: sys.headers, events, batchSize: 1000, concurrency: 2, types: ['bench.backlog'] }, 600_000);
      await receiver.rpc.call('reset');
      const resumedAt = nowMs();
      await sys.resume();
      const rss = sampleRss(sys.pids, 200);
      const meter = await startMeter({ system: sys.pids, receiver: () => [receiver.pid] }, { pgUrl: sys.pgUrl });
      const expected = events * fanout;
      const seen = await receiver.rpc.call('wait', { expect: expected, timeoutMs: WAIT_MS }, WAIT_MS + 10_000);
      const memory = rss.stop();
      const end = seen.lastAt ?? nowMs();
      return {
        drainRate: seen.unique / ((end - (seen.firstAt ?? end)) / 1000),
        drainSeconds: (end - resumedAt) / 1000,
        peakRssMb: memory.peakMb,
        publishSeconds: (publish.finishedAt - publish.startedAt) / 1000,
        ...cpuFigures(await meter.stop(), seen.unique),
        ...integrity(expected, seen, publish),
      };
    },
  },
};

/**
 * The floor (bench/floor-sender.js) over a fresh SQLite file or PostgreSQL schema: `floorDeliveries`
 * rows to 10 endpoint paths, seeded before the meter starts, then drained. Like `raw`, a yardstick
 * taken once per run and store, whatever build of hookd is compared.
 */
export async function runFloor(store, { receiver, opts }, { thread = false } = {}) {
  const db = await createDatabase(store);
  const floor = forkWorker(FLOOR);
  try {
    await floor.ready();
    const schema = db.databaseUrl ? new URL(db.databaseUrl).searchParams.get('schema') : null;
    // Timeouts grow with the queue: 1 ms per delivery, so a loaded machine where the floor drains at
    // ~1,500/s still fits (--floor 1000000 takes minutes to seed and to drain here).
    const sizeMs = opts.floorDeliveries;
    await floor.call('seed', { store, file: join(db.dataDir, 'floor.db'), pgUrl: PG_URL, schema, receiverPort: receiver.port, deliveries: opts.floorDeliveries, endpoints: 10, thread }, Math.max(120_000, sizeMs));
    await receiver.rpc.call('reset');
    const meter = await startMeter({ system: () => [floor.pid], receiver: () => [receiver.pid] }, { pgUrl: store === 'postgres' ? PG_URL : null });
    const t0 = nowMs();
    const drained = await floor.call('drain', {}, Math.max(WAIT_MS, sizeMs));
    const seen = await receiver.rpc.call('wait', { expect: opts.floorDeliveries, timeoutMs: 60_000 }, 70_000);
    const end = seen.lastAt ?? nowMs();
    const figures = cpuFigures(await meter.stop(), seen.unique);
    await floor.call('close');
    return { rate: seen.unique / ((end - t0) / 1000), committed: drained.delivered, ...figures, ...integrity(opts.floorDeliveries, seen, { deliveries: opts.floorDeliveries, errors: [] }) };
  } finally {
    await floor.stop();
    await db.drop();
  }
}

/**
 * scale (PostgreSQL): `scaleDeliveries` pending over 10 endpoints, published with delivery off
 * (hookd --role api), then `workers` processes with --role worker drain it together. Deliveries/s
 * from the first to the last arrival; CPU per delivery of the workers and of the PostgreSQL backends
 * serving them. The API process is idle while they drain and is not counted.
 */
async function scale(sys, { receiver, loadgen, opts }, { workers }) {
  const fanout = 10;
  const events = Math.ceil(opts.scaleDeliveries / fanout);
  await endpoints(sys, receiver, fanout, { maxConcurrency: opts.maxConcurrency });
  const publish = await loadgen.call('batch', { origin: sys.origin, path: sys.batchPath, headers: sys.headers, events, batchSize: 1000, concurrency: 2, types: ['bench.scale'] }, 600_000);
  await receiver.rpc.call('reset');
  const pool = await sys.startWorkers(workers);
  try {
    const meter = await startMeter({ system: pool.pids, receiver: () => [receiver.pid] }, { pgUrl: sys.pgUrl });
    const expected = events * fanout;
    const seen = await receiver.rpc.call('wait', { expect: expected, timeoutMs: WAIT_MS }, WAIT_MS + 10_000);
    const end = seen.lastAt ?? nowMs();
    return { workers, drainRate: seen.unique / ((end - (seen.firstAt ?? end)) / 1000), ...cpuFigures(await meter.stop(), seen.unique), ...integrity(expected, seen, publish) };
  } finally {
    await pool.stop();
  }
}
SCENARIOS.scale = { hookdOnly: true, postgresOnly: true, paused: true, variants: [1, 2, 4].map((workers) => ({ key: `scale-${workers}`, workers })), run: (sys, env, variant) => scale(sys, env, variant) };
SCENARIOS.floor = { yardstick: true, run: runFloor };
// The floor with its SQLite store on a worker thread (bench/floor-sender.js says why).
SCENARIOS['floor-thread'] = { yardstick: true, sqliteOnly: true, run: (store, env) => runFloor(store, env, { thread: true }) };

export const SCENARIO_NAMES = ['raw', 'floor', 'floor-thread', 'burst-1x', 'burst-fanout', 'burst-fanout-ed25519', 'transform', 'ordered', 'paced', 'isolation', 'backlog', 'scale'];
