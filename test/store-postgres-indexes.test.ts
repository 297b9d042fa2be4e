// The indexes a PostgreSQL store writes on the delivery path (docs/performance.md, "Round two"): each
// costs an index entry per insert or non-HOT update, so one that no query needs is not kept. The
// attempts table has no event_id index since migration 17; retention still deletes an old event's
// attempts (through its deliveries), on a real PostgreSQL in its own schema.

import { describe, expect, it } from 'vitest';
import { addEndpoint, claimRequest, publish, resultFor, T0 } from '../src/store/conformance/fixtures.js';
import { admin, useSchemaStore } from './helpers/postgres-schema.js';

const DAY = 86_400_000;
const { schema, store: pgStore } = useSchemaStore();

describe('PostgreSQL indexes on the delivery path', () => {
  it('keeps the attempts indexes that reads use, and no event_id index', async () => {
    const { rows } = await admin((c) => c.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname', [schema, 'attempts']));
    expect(rows.map((r) => r.indexname)).toEqual(['attempts_delivery_idx', 'attempts_endpoint_idx', 'attempts_pkey']);
    expect(rows.some((r) => /\(event_id\)/.test(r.indexdef))).toBe(false);
  });

  it("retention deletes an old event's attempts through its deliveries, and leaves a newer event's alone", async () => {
    const store = pgStore();
    await addEndpoint(store);
    const old = await publish(store, { createdAt: T0 });
    const first = await store.claimDue(claimRequest(T0 + 1));
    await store.recordResults(first.map((c) => resultFor(c, { at: T0 + 2 })));
    const recent = await publish(store, { createdAt: T0 + 40 * DAY });
    const second = await store.claimDue(claimRequest(T0 + 40 * DAY + 1));
    await store.recordResults(second.map((c) => resultFor(c, { at: T0 + 40 * DAY + 2 })));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);

    expect(await store.prune(T0 + 30 * DAY, 100)).toEqual({ events: 1, deliveries: 1, attempts: 1, inboundRequests: 0 });
    expect(await store.listAttempts(old.deliveries[0]!.id)).toEqual([]);
    expect(await store.listAttempts(recent.deliveries[0]!.id)).toHaveLength(1);
  });
});
