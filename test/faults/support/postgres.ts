// PostgreSQL for the fault tests. The shared server (127.0.0.1:5432) serves every test file at once,
// so it is never stopped: each test gets its own schema. The one test that restarts PostgreSQL starts
// a private throwaway cluster (initdb into a temp dir, its own port) and removes it afterwards.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const SHARED_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function freshSchema(prefix = 'hookd_fault'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function schemaUrl(base: string, schema: string): string {
  return `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string, url = SHARED_URL): Promise<void> {
  await sql(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

// --- a private cluster ----------------------------------------------------------------------

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin', '/usr/local/bin', '/usr/bin'];

function findBin(name: string): string | null {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

export interface PrivateCluster {
  url: string;
  port: number;
  start(): void;
  /** Immediate shutdown: what a crash or `restart -m immediate` looks like to clients. */
  stop(): void;
  remove(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Why a private cluster cannot run here, or null when it can. */
export function privateClusterUnavailable(): string | null {
  if (!findBin('initdb') || !findBin('pg_ctl')) return 'PostgreSQL server binaries (initdb, pg_ctl) not found';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a postgres user to run the server as';
    }
  }
  return null;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const initdb = findBin('initdb')!;
  const pgCtl = findBin('pg_ctl')!;
  const dir = mkdtempSync(join(tmpdir(), 'hookd-pg-'));
  const data = join(dir, 'data');
  // PostgreSQL refuses to run as root: run it as the postgres user, which must own the directory.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  };
  run(initdb, ['-A', 'trust', '-U', 'postgres', '-D', data, '--no-sync']);
  const port = await freePort();
  // fsync off: this cluster is thrown away; durability across an OS crash is not under test.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run(pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '20', '-o', options, 'start']),
    stop: () => run(pgCtl, ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop']),
    remove: () => {
      try {
        cluster.stop();
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
