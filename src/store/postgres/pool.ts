// Connection handling for the PostgreSQL store: one pg.Pool per store, a private type parser (so we
// never mutate pg's process-wide defaults that other code may rely on), transactions, and errors
// that keep pg's `code` so the API can answer 503 when the database is down.

import { createHash } from 'node:crypto';
import { writePendingAudit } from './audit-write.js';
import { isStalePlan } from './unavailable.js';
import { hasPendingAudit } from '../../core/audit.js';
import pg from 'pg';
import type { SecretBox } from '../../core/secret-box.js';

/** Anything that can run a query: the pool itself or a client checked out for a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** What every query module needs. Built once by createPostgresStore. */
export interface PgContext {
  pool: pg.Pool;
  box: SecretBox;
  schema: string;
  /** LISTEN/NOTIFY channel for "new due work" in this schema. */
  channel: string;
  /** Second half of the two-int advisory lock keys, so stores in different schemas do not contend. */
  schemaKey: number;
}

const INT8_OID = 20;

// Times are epoch ms and seq/lease tokens stay far below 2^53, so int8 -> number is exact. pg's
// default returns strings for int8 to be safe in general; we opt in per pool, not globally.
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Schema names end up in SQL and channel names, so only plain lowercase identifiers are accepted. */
export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,49}$/;

export function createPool(options: {
  connectionString: string;
  schema: string;
  poolSize?: number | undefined;
  applicationName?: string | undefined;
  /** Run statements as named prepared statements (see statementName); default true. */
  preparedStatements?: boolean | undefined;
}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'hookd',
    // search_path is a startup parameter, so every pooled connection (including ones opened after a
    // reconnect) lands in the store's schema without an extra round trip.
    options: `-c search_path=${options.schema}`,
    types: typeParsers,
    connectionTimeoutMillis: 10_000,
  });
  // An idle pooled client whose server goes away (restart, pg_terminate_backend) emits 'error' on the
  // pool; without a listener Node would crash the process. The next query simply gets a new client.
  pool.on('error', () => undefined);
  if (options.preparedStatements !== false) PREPARED.add(pool);
  return pool;
}

// Named prepared statements. node-postgres sends a parameterised statement unnamed by default, and
// PostgreSQL then parses and plans it on every execution; the claim, result and publish statements
// are CTEs whose planning cost more than their execution. Named, each connection parses a statement
// once and PostgreSQL reuses its plan (a custom plan for the first five runs, then the generic one
// if it is no worse). Measured (bench/ --against, PostgreSQL server CPU per delivery, current /
// before): burst-1x 0.69x, backlog 0.77x, paced 0.81x, burst-fanout 1.00x (a single earlier pair:
// 174 -> 139 us); the claim's endpoint statement 2.6 -> 1.1 ms a call from the client. Off (HOOKD_PG_PREPARED_STATEMENTS=false) behind a pooler that cannot carry prepared
// statements between transactions (PgBouncer before 1.21 in transaction mode).
//
// Statements are named after their text, so identical text shares a name on a connection. Texts
// are bounded by the code's shapes, but the count of names is capped anyway (MAX_NAMED): past it a
// new text runs unnamed, so no input can grow the per-connection statement cache without bound.
// A schema change that alters a prepared statement's result columns (a migration run by a newer
// version while this one is up) makes PostgreSQL refuse the cached plan: the statement then gets a
// new name, is prepared again, and the query is retried once if it was not inside a transaction
// (inside one, the transaction fails and its caller's retry uses the new name).
const PREPARED = new WeakSet<object>();
const PREPARED_CLIENTS = new WeakSet<object>();
const MAX_NAMED = 2000;
const names = new Map<string, string>();
let generation = 0;

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `h${generation}_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}


function renameStatement(text: string): void {
  generation += 1;
  names.delete(text);
}

/**
 * Check a client out for `fn` and give it back. A client whose connection broke is destroyed rather
 * than returned to the pool; `fn` reports a break the client did not emit (a failed ROLLBACK).
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient, markBroken: (err: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => {
    throw normalizeError(err);
  });
  let broken: Error | undefined;
  // pg emits 'error' on a client whose connection dies (server restart, terminated backend) even while
  // a query is pending, and pg-pool removes its own listener from checked-out clients: without this
  // one, a database restart in the middle of a transaction crashes the whole process.
  const onError = (err: Error): void => {
    broken ??= err;
  };
  client.on('error', onError);
  if (PREPARED.has(pool)) PREPARED_CLIENTS.add(client);
  try {
    return await fn(client, onError);
  } finally {
    // A broken client keeps the listener: it is destroyed by release(), and a late 'error' from its
    // dying socket must not go unhandled either.
    if (!broken) client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Run `fn` in a transaction on one pooled client (withClient). */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client, markBroken) => {
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await writePendingAudit(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        markBroken(rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError)));
      }
      throw normalizeError(err);
    }
  });
}

/** One statement of a pipelinedTransaction. */
export interface PipelinedStatement {
  text: string;
  values: unknown[];
}

// What pipelinedTransaction reaches past pg's typed surface for: the pipeline switch (typed read-only,
// a plain property that pg reads on every query) and the socket, corked so that BEGIN, the
// statements and COMMIT leave in one write.
interface PipelineInternals {
  pipeline: boolean;
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
}

/**
 * Run statements in one transaction in one round trip: BEGIN, the statements and COMMIT are
 * written to the socket at once (node-postgres's pipeline mode, switched on for this checkout only)
 * and PostgreSQL runs them back to back. Each statement still takes its own snapshot when
 * PostgreSQL reaches it (READ COMMITTED), so a later one sees the rows an earlier one locked and
 * everything committed before those locks were granted. A statement cannot take an earlier one's
 * rows as parameters; it can read what the earlier one left with set_config(..., true).
 *
 * `build` runs with the connection in hand, just before the write (the claim reads its slot clock
 * there). If a statement fails, those after it fail with "current transaction is aborted", COMMIT
 * rolls back, and the first failure is thrown. A request with a pending audit record (core/audit.ts)
 * runs the statements one by one in withTransaction, which writes the record before COMMIT.
 *
 * What it buys is latency, not CPU: the claim's four statements used to go out one after another,
 * each waiting for its answer and a turn of a busy event loop. Measured on loopback (bench/
 * --against, PostgreSQL): burst-1x 1.07x deliveries/s, paced p50 0.93x, CPU per delivery of hookd
 * and of the server unchanged (0.92-1.06x). The `writev` that is ~21% of hookd's paced profile is
 * mostly wall time: the write wakes a PostgreSQL backend, which takes the core from hookd inside
 * the call. Over a network with a real round trip, each statement saved is one round trip saved.
 */
export async function pipelinedTransaction(pool: pg.Pool, build: () => PipelinedStatement[]): Promise<pg.QueryResult[]> {
  if (hasPendingAudit()) {
    return withTransaction(pool, async (client) => {
      const results: pg.QueryResult[] = [];
      for (const s of build()) results.push(await query(client, s.text, s.values));
      return results;
    });
  }
  return withClient(pool, async (client) => {
    const internals = client as unknown as PipelineInternals;
    const stream = internals.connection?.stream;
    internals.pipeline = true;
    try {
      let sent: Promise<pg.QueryResult>[];
      stream?.cork?.();
      try {
        const statements = build();
        // Each call writes its messages at once (pipeline mode) into the corked socket, in this order.
        sent = [client.query('BEGIN'), ...statements.map((s) => query(client, s.text, s.values)), client.query('COMMIT')];
      } finally {
        stream?.uncork?.();
      }
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw normalizeError(failed.reason);
      const results = settled.map((s) => (s as PromiseFulfilledResult<pg.QueryResult>).value);
      // COMMIT of a transaction that failed without an error reaching us answers ROLLBACK.
      if (results[results.length - 1]?.command !== 'COMMIT') throw new Error('pipelined transaction was rolled back');
      return results.slice(1, -1);
    } finally {
      // Every query has been answered (allSettled), so the client is idle and may leave pipeline mode.
      internals.pipeline = false;
    }
  });
}

/**
 * Node's `net` reports a refused multi-address connect as an AggregateError whose own `code` may be
 * missing; callers map `code` to 503, so lift it from the first inner error.
 */
export function normalizeError(err: unknown): unknown {
  if (err instanceof AggregateError && !('code' in err && err.code)) {
    const inner = err.errors.find((e: unknown) => e instanceof Error && 'code' in e) as (Error & { code?: string }) | undefined;
    if (inner?.code) Object.assign(err, { code: inner.code });
  }
  return err;
}

const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|WITH)\b/i;

/** Run one statement on the pool, keeping the driver's error code. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  // A write on the bare pool while a request has a pending audit record runs in a transaction of its
  // own, so the record (written before COMMIT) lands with it (core/audit.ts).
  if (hasPendingAudit() && !('release' in db) && 'connect' in db && WRITE_STATEMENT.test(text)) {
    return withTransaction(db as pg.Pool, (client) => client.query<R>(text, values));
  }
  const run = db.query as (q: string | pg.QueryConfig, v?: unknown[]) => Promise<pg.QueryResult<R>>;
  const name = PREPARED.has(db) || PREPARED_CLIENTS.has(db) ? statementName(text) : undefined;
  try {
    return await (name === undefined ? run.call(db, text, values) : run.call(db, { name, text, values }));
  } catch (err) {
    if (name !== undefined && isStalePlan(err)) {
      renameStatement(text);
      // On the bare pool each statement is its own transaction, so running it again is safe.
      if (PREPARED.has(db)) return query(db, text, values);
    }
    throw normalizeError(err);
  }
}

/** A stable 31-bit hash of the schema name (FNV-1a), used as the second advisory-lock key. */
export function schemaLockKey(schema: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) {
    h ^= schema.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x7fffffff;
}

/** First advisory-lock keys (namespaces) used by hookd; the second key is the schema's. */
export const LOCK_MIGRATIONS = 0x686b6401; // 'hkd\x01'
export const LOCK_EVENT_SEQ = 0x686b6402;
/** Per-tenant caps (tenant-cap.ts): the second key hashes the schema, the table and the tenant. */
export const LOCK_TENANT_CAP = 0x686b6403;
