// CPU accounting for one measurement window, from /proc: the system's own processes (hookd, the
// floor sender), the receiver and load generator, and on PostgreSQL the server backends that serve
// the system's connections. Backends are found by their client port: every established connection
// from a system pid to the PostgreSQL port is looked up in pg_stat_activity (client_port -> backend
// pid), so other people's sessions on the same server never count. Backends come and go with the
// pool, so the set is re-read every 250 ms and each backend's last reading is kept.
// The machine's busy time over the window (from /proc/stat) minus all of the above is what other
// work used: the figure that flags a run.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { clientPortsTo, competition, parseLoadavg, parseMachineStat, parseProcessStat, parseTcpTable, socketInodes } from './measure.js';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

export function processCpuSeconds(pid) {
  const text = read(`/proc/${pid}/stat`);
  return text === null ? null : parseProcessStat(text);
}

export function loadavg() {
  const text = read('/proc/loadavg');
  return text === null ? null : parseLoadavg(text)?.one ?? null;
}

function machine() {
  const text = read('/proc/stat');
  return text === null ? null : parseMachineStat(text);
}

/** Local ports of `pid`'s established connections to `serverPort`. */
export function dbClientPorts(pid, serverPort) {
  let links;
  try {
    links = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
  const inodes = socketInodes(links);
  const rows = [...parseTcpTable(read(`/proc/${pid}/net/tcp`) ?? ''), ...parseTcpTable(read(`/proc/${pid}/net/tcp6`) ?? '')];
  return clientPortsTo(serverPort, rows, inodes);
}

/**
 * Start a meter. `groups`: name -> () => pids. `pgUrl` (optional): also meter the PostgreSQL backends
 * serving the pids of `groups.system`. `stop()` returns CPU seconds per group (plus `pg`), the window,
 * the load average before and after and the competition flag.
 */
export async function startMeter(groups, { pgUrl = null } = {}) {
  const sum = (pids) => pids().reduce((s, p) => s + (processCpuSeconds(p) ?? 0), 0);
  const start = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids)]));
  const loadBefore = loadavg();
  const machineStart = machine();
  const t0 = performance.now();

  let pgClient = null;
  const backends = new Map(); // backend pid -> { first, last } CPU seconds
  const waits = {}; // wait_event_type of active backends -> samples
  let sampling = null;
  let timer = null;
  if (pgUrl) {
    const url = new URL(pgUrl);
    const port = Number(url.port || 5432);
    pgClient = new pg.Client({ connectionString: pgUrl, application_name: 'hookd-bench-meter' });
    await pgClient.connect();
    const sample = async () => {
      const ports = groups.system().flatMap((pid) => dbClientPorts(pid, port));
      if (ports.length === 0) return;
      const res = await pgClient.query(
        "SELECT pid, state, coalesce(wait_event_type, 'CPU') AS wait FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND client_addr IS NOT NULL",
        [ports],
      );
      for (const { pid, state, wait } of res.rows) {
        // What the active backends were doing at each sample: on CPU, or waiting (Lock = row or
        // advisory locks, LWLock = shared-memory locks such as WAL insertion, IO, Client...).
        if (state === 'active') waits[wait] = (waits[wait] ?? 0) + 1;
        const cpu = processCpuSeconds(pid);
        if (cpu === null) continue;
        const b = backends.get(pid);
        // A backend first seen mid-window was born in it (pools open connections on demand), so its
        // whole CPU counts; one seen at the start counts from its reading then.
        if (b) b.last = cpu;
        else backends.set(pid, { first: sampling === null ? cpu : 0, last: cpu });
      }
    };
    await sample();
    sampling = 'running';
    const tick = () => {
      sampling = sample().catch(() => undefined).finally(() => {
        if (timer !== null) timer = setTimeout(tick, 250);
      });
    };
    timer = setTimeout(tick, 250);
  }

  return {
    async stop() {
      const seconds = Math.max(0.001, (performance.now() - t0) / 1000);
      const cpu = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids) - start[k]]));
      if (pgClient) {
        clearTimeout(timer);
        timer = null;
        await sampling;
        // One last reading of every backend still alive.
        for (const [pid, b] of backends) b.last = processCpuSeconds(pid) ?? b.last;
        cpu.pg = [...backends.values()].reduce((s, b) => s + (b.last - b.first), 0);
        cpu.pgBackends = backends.size;
        cpu.pgWaits = waits;
        await pgClient.end().catch(() => undefined);
      }
      const machineEnd = machine();
      const loadAfter = loadavg();
      const ours = Object.entries(cpu).filter(([k]) => k !== 'pgBackends' && k !== 'pgWaits').reduce((s, [, v]) => s + v, 0);
      const otherCores = machineStart && machineEnd ? Math.max(0, machineEnd.busy - machineStart.busy - ours) / seconds : null;
      const nproc = os.availableParallelism();
      return { seconds, cpu, loadBefore, loadAfter, otherCores, flag: competition({ loadBefore, loadAfter, nproc, otherCores }) };
    },
  };
}
