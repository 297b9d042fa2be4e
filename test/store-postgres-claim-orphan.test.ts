// A delivery whose event row is gone (nothing enforces the reference on PostgreSQL: a hand-made
// delete, a transfer into a running target) must not break a claim batch. The claim sends each
// endpoint's columns on one row of the batch (claim-sql.ts); with the orphan as the endpoint's
// earliest due row, the batch came back without them. Real PostgreSQL, in its own schema.

import { describe, expect, it } from 'vitest';
import { addEndpoint, claimRequest, publish, T0 } from '../src/store/conformance/fixtures.js';
import { admin, useSchemaStore } from './helpers/postgres-schema.js';

const { schema, store: pgStore } = useSchemaStore();

describe('PostgreSQL claim with an orphaned delivery', () => {
  it('claims the endpoint\u2019s other deliveries in full and leaves the orphan pending', async () => {
    const store = pgStore();
    const endpoint = await addEndpoint(store, { maxConcurrency: 10 });
    const orphan = await publish(store, { createdAt: T0 });
    const kept = [await publish(store, { createdAt: T0 + 1 }), await publish(store, { createdAt: T0 + 2 })];
    await admin((c) => c.query(`DELETE FROM ${schema}.events WHERE id = $1`, [orphan.event.id]));

    const claims = await store.claimDue(claimRequest(T0 + 10, { limit: 10 }));
    expect(claims.map((c) => c.event.id).sort()).toEqual(kept.map((k) => k.event.id).sort());
    for (const claim of claims) expect(claim.endpoint).toEqual(endpoint);
    const { rows } = await admin((c) => c.query(`SELECT status, lease_token::int AS lease_token FROM ${schema}.deliveries WHERE id = $1`, [orphan.deliveries[0]!.id]));
    expect(rows).toEqual([{ status: 'pending', lease_token: 0 }]);
  });
});
