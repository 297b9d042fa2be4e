// The PostgreSQL store against a real PostgreSQL (127.0.0.1:5432, database `test`): the shared
// conformance suite, plus what only a multi-process store has to prove: concurrent migrations,
// SKIP LOCKED claims from separate pools, the cross-process concurrency cap, commit-ordered seqs,
// LISTEN/NOTIFY with reconnect, and that no secret reaches a table in clear.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/postgres/migrations.js';
import { newId } from '../src/core/ids.js';
import { makeEndpoint, makeEvent, T0 } from '../src/store/conformance/fixtures.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { runStoreConformance } from '../src/store/conformance/run-store-conformance.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { listenForEvents } from '../src/store/postgres/notify.js';
import type { Store } from '../src/store/store.js';
import { StoreUnavailableError } from '../src/store/store-error.js';
import type { Attempt } from '../src/core/types.js';
import type { InboundRequest, Source } from '../src/core/inbound-types.js';

const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const box = createAesGcmBox(randomBytes(32));

function freshSchema(): string {
  return `hookd_test_${randomBytes(6).toString('hex')}`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropSchema(schema: string): Promise<void> {
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

function makeStore(schema: string, poolSize = 4): Store {
  return createPostgresStore({ connectionString: DATABASE_URL, secretBox: box, schema, poolSize, applicationName: 'hookd-test' });
}

const factory = async (): Promise<{ store: Store; cleanup: () => Promise<void>; openPeer: () => Promise<Store> }> => {
  const schema = freshSchema();
  // A peer is another "process": its own pool on the same schema.
  return { store: makeStore(schema), cleanup: () => dropSchema(schema), openPeer: async () => makeStore(schema, 3) };
};

runStoreConformance('postgres', factory);

// --- PostgreSQL-specific behaviour ------------------------------------------------------------


const endpointFixture = makeEndpoint;
const eventFixture = makeEvent;

/** One schema shared by several stores (separate pools = separate "processes"). */
function useSharedSchema(processes: number): { stores: () => Store[]; schema: () => string } {
  let schema = '';
  let stores: Store[] = [];
  beforeAll(async () => {
    schema = freshSchema();
    stores = Array.from({ length: processes }, () => makeStore(schema, 3));
    await stores[0]!.migrate();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });
  return { stores: () => stores, schema: () => schema };
}

describe('postgres: migrations', () => {
  it('two processes migrating an empty schema at once apply each migration exactly once', async () => {
    const schema = freshSchema();
    const a = makeStore(schema);
    const b = makeStore(schema);
    try {
      await Promise.all([a.migrate(), b.migrate(), a.migrate()]);
      const rows = await admin((c) => c.query(`SELECT version, count(*)::int AS n FROM ${schema}.schema_migrations GROUP BY version`));
      expect(rows.rows.length).toBeGreaterThan(0);
      expect(rows.rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      await b.migrate(); // a no-op on a migrated schema
      await a.ping();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  });

  it('refuses a schema migrated by another build (a renamed or an unknown migration) and changes nothing', async () => {
    const schema = freshSchema();
    const first = makeStore(schema);
    try {
      await first.migrate();
    } finally {
      await first.close();
    }
    try {
      await admin((c) => c.query(`UPDATE ${schema}.schema_migrations SET name = 'something else' WHERE version = 2`));
      const renamed = makeStore(schema);
      await expect(renamed.migrate()).rejects.toMatchObject({ code: 'migration_mismatch', message: expect.stringContaining('migration 2 is "something else"') });
      await renamed.close();
      await admin((c) => c.query(`UPDATE ${schema}.schema_migrations SET name = $1 WHERE version = 2`, [MIGRATIONS.find((m) => m.version === 2)!.name]));
      await admin((c) => c.query(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)`));
      const newer = makeStore(schema);
      await expect(newer.migrate()).rejects.toMatchObject({ code: 'migration_mismatch', message: expect.stringContaining('migrated by a newer hookd (migration 9999') });
      await newer.close();
      const count = await admin((c) => c.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`));
      expect(count.rows[0].n).toBe(MIGRATIONS.length + 1);
    } finally {
      await dropSchema(schema);
    }
  });
});

describe('postgres: secrets at rest', () => {
  const shared = useSharedSchema(1);

  it('no signing secret, credential or source secret appears in clear in any text column', async () => {
    const store = shared.stores()[0]!;
    const secrets = {
      signing: 'whsec_c2lnbmluZ3NlY3JldHNpZ25pbmdzZWNyZXQ=',
      oldSigning: 'whsec_b2xkc2lnbmluZ3NlY3JldG9sZHNpZ25pbmc=',
      password: 'pa55-w0rd-in-clear?',
      oauth: 'oauth-client-secret-xyz',
      source: 'stripe-signing-secret-abc',
      basicSource: 'source-basic-password-123',
    };
    await store.insertEndpoint(
      endpointFixture({
        auth: { type: 'basic', username: 'crm', password: secrets.password },
        secrets: [
          { secret: secrets.signing, expiresAt: null },
          { secret: secrets.oldSigning, expiresAt: T0 + 1 },
        ],
      }),
    );
    const oauth = endpointFixture({
      auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: secrets.oauth },
    });
    await store.insertEndpoint(oauth);
    // Updates re-seal too.
    await store.updateEndpoint(oauth.id, undefined, { secrets: [{ secret: secrets.signing, expiresAt: null }], updatedAt: T0 + 1 });
    await store.insertSource(sourceFixture({ verify: { scheme: 'stripe', secret: secrets.source } }));
    await store.insertSource(sourceFixture({ verify: { scheme: 'basic', username: 'u', password: secrets.basicSource } }));

    const dump = await admin(async (c) => {
      const out: string[] = [];
      for (const table of ['endpoints', 'sources']) {
        const { rows } = await c.query(`SELECT t::text AS row FROM ${shared.schema()}.${table} t`);
        out.push(...rows.map((r: { row: string }) => r.row));
      }
      return out.join('\n');
    });
    expect(dump.length).toBeGreaterThan(0);
    for (const value of Object.values(secrets)) expect(dump).not.toContain(value);
    // And they still read back.
    expect((await store.getEndpoint(oauth.id, undefined))?.auth).toMatchObject({ clientSecret: secrets.oauth });
  });
});

function sourceFixture(over: Partial<Source> = {}): Source {
  return {
    id: newId('source'),
    name: 'stripe',
    tenant: null,
    verify: { scheme: 'none' },
    allowIps: null,
    eventType: null,
    maxBodyBytes: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

// Several processes claiming, the cross-process concurrency cap, commit-ordered feed seqs and
// idempotency races are in the conformance suite's multi-process section (multi-process-suite.ts).

function attemptFixture(deliveryId: string, endpointId: string, eventId: string, at: number): Attempt {
  return {
    id: newId('attempt'),
    deliveryId,
    endpointId,
    eventId,
    tenant: null,
    createdAt: at,
    durationMs: 12,
    responseStatus: 200,
    code: 'ok',
    outcome: 'success',
    trigger: 'scheduled',
    message: null,
    requestHeaders: { 'webhook-id': eventId },
    responseHeaders: {},
    responseBody: 'ok',
  };
}

describe('postgres: LISTEN/NOTIFY', () => {
  const shared = useSharedSchema(1);

  it('wakes a listener on publish, and again after its connection was killed and re-established', async () => {
    const store = shared.stores()[0]!;
    let calls = 0;
    const waitFor = async (n: number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (calls < n) {
        if (Date.now() > deadline) throw new Error(`listener was called ${calls} times, expected ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const stop = await listenForEvents(DATABASE_URL, shared.schema(), () => {
      calls += 1;
    });
    try {
      await store.publishEvents([eventFixture()]);
      await waitFor(1);

      const killed = await admin((c) =>
        c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'hookd-listener' AND query = $1`,
          [`LISTEN hookd_events_${shared.schema()}`],
        ),
      );
      expect(killed.rowCount).toBe(1);
      // After reconnecting the listener calls once by itself (it may have missed notifications)...
      await waitFor(2);
      const afterReconnect = calls;
      // ...and receives notifications again.
      await store.publishEvents([eventFixture()]);
      await waitFor(afterReconnect + 1);
    } finally {
      await stop();
    }
    const before = calls;
    await store.publishEvents([eventFixture()]);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(before);
  });
});

describe('postgres: connection failures', () => {
  it('rejects with StoreUnavailableError, the driver’s error as its cause, when the database is unreachable', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', secretBox: box, schema: 'hookd_unreachable' });
    try {
      // One store error type for callers; the driver's error stays readable as its cause.
      await expect(store.ping()).rejects.toMatchObject({ name: 'StoreUnavailableError', cause: { code: 'ECONNREFUSED' } });
      await expect(store.claimDue({ now: T0, limit: 1, owner: 'w', leaseGraceMs: 0 })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('survives the server killing its idle pooled connections', async () => {
    const schema = freshSchema();
    const store = createPostgresStore({ connectionString: DATABASE_URL, secretBox: box, schema, applicationName: `hookd-kill-${schema}` });
    try {
      await store.migrate();
      await store.ping();
      await admin((c) => c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`hookd-kill-${schema}`]));
      await new Promise((r) => setTimeout(r, 100));
      await store.ping();
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => createPostgresStore({ connectionString: DATABASE_URL, secretBox: box, schema: 'x; DROP TABLE y' })).toThrow(/schema/);
  });
});

describe('postgres: text edge cases and concurrent writers', () => {
  const shared = useSharedSchema(3);

  it('keeps payloads byte for byte and stores bodies containing NUL instead of failing the batch', async () => {
    const store = shared.stores()[0]!;
    const endpoint = endpointFixture({ eventTypes: ['edge.case'] });
    await store.insertEndpoint(endpoint);
    const payload = '{"emoji":"😀","accent":"é","n":1.0e0,"esc":"\\u0000\\"",  "k":[ ]}';
    const [result] = await store.publishEvents([eventFixture({ type: 'edge.case', payload })]);
    expect((await store.getEvent(result!.event.id, undefined))?.payload).toBe(payload);

    const [claim] = await store.claimDue({ now: T0 + 10, limit: 1, owner: 'w', leaseGraceMs: 1_000 });
    const attempt = { ...attemptFixture(claim!.delivery.id, endpoint.id, claim!.event.id, T0 + 20), responseBody: 'bin\u0000ary', message: 'a\u0000b' };
    const [outcome] = await store.recordResults([
      {
        deliveryId: claim!.delivery.id,
        leaseToken: claim!.delivery.leaseToken,
        attempt,
        update: { status: 'succeeded', nextAttemptAt: null, lastCode: 'ok', lastStatus: 200 },
        endpoint: { health: 'success' },
        emit: [],
      },
    ]);
    expect(outcome?.applied).toBe(true);
    expect((await store.listAttempts(claim!.delivery.id))[0]?.responseBody).toBe('bin\uFFFDary');
  });

  it('two processes receiving the same provider delivery id: one accepted with an event, one duplicate', async () => {
    const stores = shared.stores();
    const source = sourceFixture();
    await stores[0]!.insertSource(source);
    const results = await Promise.all(
      stores.map((store) => {
        const event = eventFixture({ sourceId: source.id, type: 'inbound.dup' });
        const request: InboundRequest = {
          id: newId('inboundRequest'),
          sourceId: source.id,
          tenant: null,
          receivedAt: T0,
          verdict: 'accepted',
          code: null,
          reason: null,
          status: 202,
          remoteAddress: null,
          headers: { 'x-body': 'with\u0000nul' },
          body: 'raw\u0000bytes',
          dedupeKey: 'evt_provider_1',
          eventId: event.id,
        };
        return store.recordInbound(request, event);
      }),
    );
    const accepted = results.filter((r) => r.request.verdict === 'accepted');
    const duplicates = results.filter((r) => r.request.verdict === 'duplicate');
    expect(accepted).toHaveLength(1);
    expect(duplicates).toHaveLength(stores.length - 1);
    for (const d of duplicates) {
      expect(d.duplicateOf).toBe(accepted[0]!.request.id);
      expect(d.request.eventId).toBe(accepted[0]!.request.eventId);
      expect(d.publish).toBeNull();
    }
    const feed = await stores[0]!.listEventsFeed({ afterSeq: 0, tenant: undefined, type: 'inbound.dup', limit: 10 });
    expect(feed).toHaveLength(1);
  });

  it('concurrent results for one endpoint (a 410 among retries) finish without deadlock', async () => {
    const stores = shared.stores();
    const endpoint = endpointFixture({ eventTypes: ['gone.race'], maxConcurrency: 100 });
    await stores[0]!.insertEndpoint(endpoint);
    await stores[0]!.publishEvents(Array.from({ length: 30 }, (_, i) => eventFixture({ type: 'gone.race', createdAt: T0 + i })));
    const claims = await stores[0]!.claimDue({ now: T0 + 100, limit: 24, owner: 'w', leaseGraceMs: 60_000 });
    expect(claims).toHaveLength(24);
    const outcomes = await Promise.all(
      claims.map((c, i) =>
        stores[i % stores.length]!.recordResults([
          {
            deliveryId: c.delivery.id,
            leaseToken: c.delivery.leaseToken,
            attempt: { ...attemptFixture(c.delivery.id, endpoint.id, c.event.id, T0 + 200 + i), responseStatus: i % 3 === 0 ? 410 : 503 },
            update:
              i % 3 === 0
                ? { status: 'failed', nextAttemptAt: null, lastCode: 'http_gone', lastStatus: 410 }
                : { status: 'pending', nextAttemptAt: T0 + 5_000, lastCode: 'http_server_error', lastStatus: 503 },
            endpoint: i % 3 === 0 ? { health: 'failure', disable: 'gone' } : { health: 'failure' },
            emit: [],
          },
        ]),
      ),
    );
    expect(outcomes.flat().every((o) => o.applied)).toBe(true);
    expect(outcomes.flat().filter((o) => o.endpointDisabled === 'gone')).toHaveLength(1);
    const after = await stores[0]!.getEndpoint(endpoint.id, undefined);
    // Whichever failure committed first started the streak.
    expect(after).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(after!.failingSince).toBeGreaterThanOrEqual(T0 + 200);
    expect(after!.failingSince).toBeLessThan(T0 + 224);
  });
});
