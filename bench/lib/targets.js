// The systems under test behind one small interface, so every scenario runs unchanged against hookd
// on SQLite, hookd on PostgreSQL and the peer (BullMQ + Redis):
//   start({ paused }) -> instance with publish routes, createEndpoint(), pids(), resume(), stop()
// `paused` starts without delivery (hookd --role api; the peer without its worker) for the backlog.

import { fileURLToPath } from 'node:url';
import { ADMIN_KEY, PG_URL, ROOT, createDatabase, startHookd } from './hookd-server.js';
import { forkWorker } from './procs.js';
import { startRedis } from '../peers/redis.js';

const PEER = fileURLToPath(new URL('../peers/bullmq-sender.js', import.meta.url));

/** `root`/`label`: another build of hookd (--against), reported under `<store>@<label>`. */
export function hookdTarget(store, { cpuProfDir = null, root = ROOT, label = null } = {}) {
  return {
    name: label ? `${store}@${label}` : store,
    store,
    async start({ paused = false } = {}) {
      const db = await createDatabase(store);
      let server = await startHookd(db, { role: paused ? 'api' : 'all', cpuProfDir, root });
      const instance = {
        get origin() {
          return server.origin;
        },
        batchPath: '/v1/events/batch',
        singlePath: '/v1/events',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        async createEndpoint(url, { eventTypes = null, maxConcurrency, signing, transform } = {}) {
          const body = { url, ...(eventTypes ? { eventTypes } : {}), ...(maxConcurrency ? { maxConcurrency } : {}), ...(signing ? { signing } : {}), ...(transform ? { transform } : {}) };
          return server.api('POST', '/v1/endpoints', body);
        },
        /** The processes whose memory and CPU count as "the system". */
        pids: () => [server.pid],
        /** hookd's Prometheus text (store round trips per delivery). */
        async metricsText() {
          const res = await fetch(`${server.origin}/metrics`);
          return res.text();
        },
        /** PostgreSQL: where the meter finds the server backends serving these pids. */
        pgUrl: store === 'postgres' ? PG_URL : null,
        pgSchema: store === 'postgres' ? new URL(db.databaseUrl).searchParams.get('schema') : null,
        /** After an outage: a fresh process with delivery on, over the same database. */
        async resume() {
          await server.stop();
          server = await startHookd(db, { role: 'all', cpuProfDir, root });
        },
        /** scale: `count` more processes with --role worker over the same database. */
        async startWorkers(count) {
          const workers = await Promise.all(Array.from({ length: count }, () => startHookd(db, { role: 'worker', root })));
          return { pids: () => workers.map((w) => w.pid), stop: () => Promise.all(workers.map((w) => w.stop())) };
        },
        async stop() {
          try {
            await server.stop();
          } finally {
            await db.drop();
          }
        },
      };
      return instance;
    },
  };
}

export function peerTarget() {
  return {
    name: 'peer',
    async start({ paused = false } = {}) {
      const redis = await startRedis();
      const peer = forkWorker(PEER, [String(redis.port), ...(paused ? ['--no-worker'] : [])]);
      let port;
      try {
        ({ port } = await peer.ready());
      } catch (err) {
        await redis.stop();
        throw err;
      }
      const origin = `http://127.0.0.1:${port}`;
      return {
        origin,
        batchPath: '/events/batch',
        singlePath: '/events',
        headers: {},
        async createEndpoint(url, { eventTypes = null } = {}) {
          const res = await fetch(`${origin}/endpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, eventTypes }) });
          if (res.status !== 201) throw new Error(`peer endpoint: ${res.status} ${await res.text()}`);
          return res.json();
        },
        // Redis holds the peer's queue (payloads included), so its memory is the peer's memory too.
        pids: () => [peer.pid, redis.pid],
        async resume() {
          await peer.call('startWorker');
        },
        async stop() {
          await peer.stop();
          await redis.stop();
        },
      };
    },
  };
}
