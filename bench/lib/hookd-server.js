// Starts and stops a real `hookd serve` child process for one scenario: a fresh SQLite data directory
// or a fresh PostgreSQL schema each time, the API rate limit off, logs at warn, loopback allowed by
// the SSRF policy. Optionally with --cpu-prof (the profile is written when hookd exits).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, spawnProcess, waitUntil } from './procs.js';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
export const ROOT = new URL('../../', import.meta.url).pathname;
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function pgAdmin(sql) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A store to run hookd on: a data directory (SQLite) or a schema (PostgreSQL), and its clean-up. */
export async function createDatabase(store) {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
  if (store === 'sqlite') return { store, dataDir, databaseUrl: '', drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  return {
    store,
    dataDir,
    databaseUrl: `${PG_URL}?schema=${schema}`,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/** Start hookd on `db`; resolves when /healthz answers. `root`: the tree whose bin/hookd.js runs (--against). */
export async function startHookd(db, { role = 'all', env = {}, cpuProfDir = null, root = ROOT } = {}) {
  const port = await freePort();
  const nodeArgs = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const proc = spawnProcess(process.execPath, [...nodeArgs, join(root, 'bin/hookd.js'), 'serve'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOOKD_PORT: String(port),
      HOOKD_HOST: '127.0.0.1',
      HOOKD_ADMIN_KEY: ADMIN_KEY,
      HOOKD_ALLOW_PRIVATE: '127.0.0.1/32',
      HOOKD_DATA_DIR: db.dataDir,
      DATABASE_URL: db.databaseUrl,
      HOOKD_API_RATE_LIMIT: '0',
      HOOKD_LOG_LEVEL: 'warn',
      HOOKD_ROLE: role,
      // Scenarios leave a never-answering endpoint in flight; do not wait the default 10 s for it.
      HOOKD_SHUTDOWN_GRACE_MS: '500',
      ...env,
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.child.once('exit', () => (exited = true));
  await waitUntil(
    async () => {
      if (exited) throw new Error(`hookd exited during start:\n${proc.output()}`);
      try {
        const res = await fetch(`${origin}/healthz`);
        await res.arrayBuffer();
        return res.ok;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, what: 'hookd /healthz' },
  );
  return {
    origin,
    pid: proc.child.pid,
    output: proc.output,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    async api(method, path, body) {
      const res = await fetch(`${origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async stop() {
      if (exited) return;
      const done = new Promise((r) => proc.child.once('exit', r));
      proc.child.kill('SIGTERM');
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(timer);
    },
  };
}
