// The PostgreSQL publish write (store/postgres/publish.ts): the seq lock, event and delivery inserts and
// the NOTIFY are one statement, usable in autocommit (publishEvents) or inside a caller's transaction.
// Real PostgreSQL (127.0.0.1:5432, database `test`), one schema per file.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEndpoint, makeEvent } from '../src/store/conformance/fixtures.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { listenForEvents, notifyChannel } from '../src/store/postgres/notify.js';
import { createPool, schemaLockKey, withTransaction, type PgContext } from '../src/store/postgres/pool.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { publishEvents, publishInTransaction } from '../src/store/postgres/publish.js';
import type { Store } from '../src/store/store.js';

const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
const box = createAesGcmBox(randomBytes(32));

let store: Store;
let ctx: PgContext;
let other: PgContext;

function context(): PgContext {
  return { pool: createPool({ connectionString: DATABASE_URL, schema, poolSize: 3 }), box, schema, channel: notifyChannel(schema), schemaKey: schemaLockKey(schema) };
}

beforeAll(async () => {
  store = createPostgresStore({ connectionString: DATABASE_URL, secretBox: box, schema, poolSize: 2 });
  await store.migrate();
  ctx = context();
  other = context();
});
afterAll(async () => {
  await Promise.all([store.close(), ctx.pool.end(), other.pool.end()]);
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
});

const endpoint = makeEndpoint;
const event = makeEvent;

async function deliveryCount(eventId: string): Promise<number> {
  const { rows } = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE event_id = $1', [eventId]);
  return rows[0]!.n;
}

describe('postgres publish write', () => {
  it('in autocommit: fans out, replays a key, reports a conflict, and writes no deliveries for replays', async () => {
    await store.insertEndpoint(endpoint({ tenant: 'p1', eventTypes: ['order.paid'] }));
    await store.insertEndpoint(endpoint({ tenant: 'p1' }));
    await store.insertEndpoint(endpoint({ tenant: 'p1', eventTypes: ['other'] }));
    const first = event({ tenant: 'p1', type: 'order.paid', idempotencyKey: 'k1', requestHash: 'h1' });
    const plain = event({ tenant: 'p1', type: 'order.paid' });
    const [a, b] = await publishEvents(ctx, [first, plain]);
    expect(a).toMatchObject({ kind: 'created', deliveries: 2, event: { id: first.id } });
    expect(b).toMatchObject({ kind: 'created', deliveries: 2 });
    expect(b!.event.seq).toBe(a!.event.seq + 1);

    const replay = event({ tenant: 'p1', type: 'order.paid', idempotencyKey: 'k1', requestHash: 'h1' });
    const conflict = event({ tenant: 'p1', type: 'order.paid', idempotencyKey: 'k1', requestHash: 'other' });
    const fresh = event({ tenant: 'p1', type: 'order.paid' });
    const results = await publishEvents(ctx, [replay, conflict, fresh]);
    expect(results.map((r) => r.kind)).toEqual(['replayed', 'conflict', 'created']);
    expect(results[0]).toMatchObject({ event: { id: first.id }, deliveries: 2 });
    expect(await deliveryCount(replay.id)).toBe(0);
    expect(await deliveryCount(first.id)).toBe(2);
    expect(await deliveryCount(fresh.id)).toBe(2);
  });

  it('inside a transaction that rolls back, writes nothing', async () => {
    await store.insertEndpoint(endpoint({ tenant: 'p2' }));
    const e = event({ tenant: 'p2' });
    await expect(
      withTransaction(ctx.pool, async (client) => {
        const out = await publishInTransaction(ctx, client, [e]);
        expect(out).toMatchObject({ created: 1, results: [{ kind: 'created', deliveries: 1 }] });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.getEvent(e.id, undefined)).toBeNull();
    expect(await deliveryCount(e.id)).toBe(0);
  });

  it('notifies listeners when an event was written, and not for a call that only replays', async () => {
    let calls = 0;
    const stop = await listenForEvents(DATABASE_URL, schema, () => {
      calls += 1;
    });
    try {
      const keyed = event({ idempotencyKey: 'notify-once', requestHash: 'h' });
      await publishEvents(ctx, [keyed]);
      const deadline = Date.now() + 5_000;
      while (calls < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(calls).toBe(1);
      await publishEvents(ctx, [event({ idempotencyKey: 'notify-once', requestHash: 'h' })]);
      // A notification is delivered within milliseconds of the commit; give it ample time to show up.
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toBe(1);
    } finally {
      await stop();
    }
  });

  it('keeps seqs commit-ordered across concurrent autocommit publishers: a racing feed reader misses nothing', async () => {
    const published = new Set<string>();
    const seen: string[] = [];
    let writing = true;
    // The starting point is read before any publisher runs, or it would race the first publishes.
    let after = await store.lastEventSeq();
    const reader = (async () => {
      for (;;) {
        const done = !writing;
        const batch = await store.listEventsFeed({ afterSeq: after, tenant: 'race', limit: 50 });
        for (const e of batch) seen.push(e.id);
        after = batch.at(-1)?.seq ?? after;
        if (done && batch.length === 0) return;
      }
    })();
    await Promise.all(
      [ctx, other, ctx, other].map(async (c) => {
        for (let i = 0; i < 20; i++) {
          const events = [event({ tenant: 'race' }), event({ tenant: 'race' })];
          await publishEvents(c, events);
          for (const e of events) published.add(e.id);
        }
      }),
    );
    writing = false;
    await reader;
    expect(seen).toHaveLength(published.size);
    expect(new Set(seen)).toEqual(published);
  });
});
