// Which database failures mean "cannot do this now" (503 with Retry-After on the API; kept and
// retried by the result writer) and which mean "this row can never be written" (a 500 on the API; a
// result the writer drops once others of its group were written). Every error here comes from a
// real database: a SQLite file at its page limit, a PostgreSQL transaction that is read-only, timed
// out or refused a lock, a role over its connection limit, a pool with no free client, and
// constraint failures for contrast. The last case is a PostgreSQL server gone read-only (a standby,
// a demoted primary) under a running store: publishing is refused as unavailable, a held result
// stays in the writer, and both go through once the server takes writes again; through the API,
// each change is answered 503 problem+json with Retry-After and leaves no audit record.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResultWriter } from '../src/delivery/result-writer.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { claimOne, makeEndpoint, makeEvent, resultFor, T0 } from '../src/store/conformance/fixtures.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { isPostgresUnavailable } from '../src/store/postgres/unavailable.js';
import { isSqliteUnavailable } from '../src/store/sqlite/unavailable.js';
import type { Store } from '../src/store/store.js';
import { freshSchema, schemaUrl, SHARED_URL as ADMIN_URL, sql } from './faults/support/postgres.js';
import { createHarness } from './helpers/harness.js';
import { eventually } from './helpers/receiver.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('SQLite failures', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-sqlite-full-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a database at its page limit cannot be written now; a constraint failure is the row', () => {
    const db = new Database(path.join(dir, 'full.db'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const full = caught(() => {
      for (let i = 0; i < 100; i++) insert.run(randomBytes(4096));
    });
    expect((full as { code: string }).code).toBe('SQLITE_FULL');
    expect(isSqliteUnavailable(full)).toBe(true);

    const notNull = caught(() => db.prepare('INSERT INTO t (body) VALUES (NULL)').run());
    expect((notNull as { code: string }).code).toBe('SQLITE_CONSTRAINT_NOTNULL');
    expect(isSqliteUnavailable(notNull)).toBe(false);
    db.close();
  });
});

describe('PostgreSQL failures', () => {
  const role = `hookd_ro_${randomBytes(5).toString('hex')}`;
  const schema = freshSchema('hookd_test');
  const roleUrl = (() => {
    const url = new URL(ADMIN_URL);
    url.username = role;
    url.password = '';
    return url.toString();
  })();
  const admin = (text: string) => sql(ADMIN_URL, text);
  // ALTER ROLE ... SET applies to new sessions only: end the role's sessions, so the store's pool
  // reconnects under the new setting. A running server reconnects at once (its dispatcher polls), so
  // what is waited for is the end of every session forked before the change, not of all of them.
  const setReadOnly = async (on: boolean): Promise<void> => {
    await admin(`ALTER ROLE ${role} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
    const changedAt = (await sql<{ at: string }>(ADMIN_URL, 'SELECT clock_timestamp()::text AS at'))[0]!.at;
    const older = `FROM pg_stat_activity WHERE usename = $1 AND backend_start < $2::timestamptz`;
    // Terminating is asynchronous: wait until those sessions are gone, so no pool client that is
    // still dying is handed out below.
    await eventually(
      async () => {
        await sql(ADMIN_URL, `SELECT pg_terminate_backend(pid) ${older}`, [role, changedAt]);
        return (await sql<{ n: number }>(ADMIN_URL, `SELECT count(*)::int AS n ${older}`, [role, changedAt]))[0]!.n === 0;
      },
      5_000,
      20,
    );
  };

  beforeAll(async () => {
    await admin(`CREATE ROLE ${role} LOGIN`);
    await admin(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
    // migrate() runs CREATE SCHEMA IF NOT EXISTS, which needs the privilege even when the schema is there.
    await admin(`GRANT CREATE ON DATABASE ${new URL(ADMIN_URL).pathname.slice(1)} TO ${role}`);
  });
  afterAll(async () => {
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`);
    // The role's schema and its privilege on the database go with it.
    await admin(`DROP OWNED BY ${role} CASCADE`);
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  it('read-only, timed out and lock-refused statements cannot run now; a constraint failure is the row', async () => {
    const client = new pg.Client({ connectionString: roleUrl });
    await client.connect();
    const failure = (sql: string): Promise<{ code: string }> =>
      client.query(sql).then(
        () => {
          throw new Error(`expected ${sql} to fail`);
        },
        (err: { code: string }) => err,
      );
    try {
      await client.query(`SET search_path = ${schema}`);
      await client.query('CREATE TABLE t (id int PRIMARY KEY, body text NOT NULL)');

      const readOnly = await failure("BEGIN READ ONLY; INSERT INTO t VALUES (1, 'x')");
      await client.query('ROLLBACK');
      expect(readOnly.code).toBe('25006');
      expect(isPostgresUnavailable(readOnly)).toBe(true);

      const timedOut = await failure('SET statement_timeout = 10; SELECT pg_sleep(2)');
      await client.query('RESET statement_timeout');
      expect(timedOut.code).toBe('57014');
      expect(isPostgresUnavailable(timedOut)).toBe(true);

      // Another session holds the table's lock; this one may wait 10 ms for it.
      const holder = new pg.Client({ connectionString: roleUrl });
      await holder.connect();
      try {
        await holder.query(`SET search_path = ${schema}; BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE`);
        const locked = await failure("SET lock_timeout = 10; INSERT INTO t VALUES (2, 'y')");
        expect(locked.code).toBe('55P03');
        expect(isPostgresUnavailable(locked)).toBe(true);
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      await client.query('RESET lock_timeout');

      const notNull = await failure('INSERT INTO t VALUES (3, NULL)');
      expect(notNull.code).toBe('23502');
      expect(isPostgresUnavailable(notNull)).toBe(false);
    } finally {
      await client.end();
    }
  });

  it('a role over its connection limit and a pool with no free client cannot connect now', async () => {
    await admin(`ALTER ROLE ${role} CONNECTION LIMIT 1`);
    const first = new pg.Client({ connectionString: roleUrl });
    await first.connect();
    try {
      const second = new pg.Client({ connectionString: roleUrl });
      const overLimit = await second.connect().then(
        () => second.end().then(() => ({ code: 'connected' })),
        (err: { code: string }) => err,
      );
      expect(overLimit.code).toBe('53300'); // too_many_connections (class 53)
      expect(isPostgresUnavailable(overLimit)).toBe(true);
    } finally {
      await first.end();
      await admin(`ALTER ROLE ${role} CONNECTION LIMIT -1`);
    }

    const pool = new pg.Pool({ connectionString: ADMIN_URL, max: 1, connectionTimeoutMillis: 50 });
    const held = await pool.connect();
    try {
      const busy = await pool.query('SELECT 1').then(
        () => new Error('expected no free client'),
        (err: Error) => err,
      );
      expect(busy.message).toMatch(/timeout exceeded when trying to connect/);
      expect(isPostgresUnavailable(busy)).toBe(true);
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('refuses a publish as unavailable and keeps a result while the server is read-only, and writes both once it is writable', async () => {
    const store: Store = createPostgresStore({ connectionString: roleUrl, secretBox: createAesGcmBox(randomBytes(32)), schema, poolSize: 2, applicationName: 'hookd-test' });
    try {
      await store.migrate();
      const endpoint = makeEndpoint({ eventTypes: ['chat.started'] });
      await store.insertEndpoint(endpoint);
      await store.publishEvents([makeEvent({ type: 'chat.started' })]);
      const claim = await claimOne(store, T0 + 10);

      await setReadOnly(true);
      await store.ping(); // reads still work
      // Publishing is refused as "cannot write now" (the API's 503), not as a failure of the event.
      await expect(store.publishEvents([makeEvent({ type: 'chat.started' })])).rejects.toMatchObject({ name: 'StoreUnavailableError', cause: { code: '25006' } });
      const applied: string[] = [];
      const dropped: string[] = [];
      const writer = createResultWriter({
        store,
        logger: pino({ level: 'silent' }),
        onApplied: (r) => applied.push(r.deliveryId),
        onStale: () => undefined,
        onDropped: (r) => dropped.push(r.deliveryId),
      });
      writer.start();
      writer.add(resultFor(claim, { at: T0 + 20 }), claim);
      await eventually(async () => writer.health().failingSince !== null, 5_000, 20);
      expect(writer.health()).toMatchObject({ buffered: 1, failingSince: expect.any(Number) });
      expect(dropped).toEqual([]);

      await setReadOnly(false);
      await eventually(async () => applied.length > 0, 15_000, 50);
      await writer.stop();
      expect(applied).toEqual([claim.delivery.id]);
      expect(dropped).toEqual([]);
      expect((await store.getDelivery(claim.delivery.id, undefined))?.status).toBe('succeeded');
      expect(await store.publishEvents([makeEvent({ type: 'chat.started' })])).toHaveLength(1);
    } finally {
      await setReadOnly(false);
      await store.close();
    }
  }, 30_000);

  it('the API answers a change it cannot write with 503 problem+json and Retry-After, records nothing, and serves reads', async () => {
    const h = await createHarness({ env: { DATABASE_URL: schemaUrl(roleUrl, `${schema}_api`) } });
    try {
      expect(h.runtime.store.dialect).toBe('postgres');
      const endpoint = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/ro', eventTypes: ['chat.started'] } });
      expect(endpoint.status).toBe(201);
      // Counts of what a refused change must not have made (each read checked: a read that meets a
      // connection the server just ended is a 503 too, and is asked again).
      const count = async (url: string): Promise<number> => {
        let n = -1;
        await eventually(async () => {
          const res = await h.request('GET', url);
          if (res.status === 200) n = (res.body.data as unknown[]).length;
          return res.status === 200;
        }, 5_000, 50);
        return n;
      };
      const counts = async () => ({ audit: await count('/v1/audit?limit=100'), endpoints: await count('/v1/endpoints?limit=100'), events: await count('/v1/events?limit=100') });
      const before = await counts();

      await setReadOnly(true);
      // Reads go on (the first may meet a connection the server just ended: that is a 503 too).
      await eventually(async () => (await h.request('GET', `/v1/endpoints/${endpoint.body.id}`)).status === 200, 5_000, 50);
      const changes = [
        h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { n: 1 } } }),
        h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/other' } }),
        h.request('PATCH', `/v1/endpoints/${endpoint.body.id}`, { body: { description: 'while read-only' } }),
      ];
      for (const res of await Promise.all(changes)) {
        expect(res.status, res.text).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toMatchObject({ status: 503, code: 'service_unavailable' });
        expect(res.text).not.toMatch(/25006|read-only transaction|stack/i);
      }
      expect(await counts()).toEqual(before);
      const unchanged = await h.request('GET', `/v1/endpoints/${endpoint.body.id}`);
      expect(unchanged.status).toBe(200);
      expect(unchanged.body.description ?? null).not.toBe('while read-only');

      await setReadOnly(false);
      await eventually(async () => (await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { n: 2 } } })).status === 202, 10_000, 100);
    } finally {
      await setReadOnly(false);
      await h.close();
    }
  }, 40_000);
});
