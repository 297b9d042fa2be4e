// The Store conformance suite: every adapter calls this once from its own test file and must pass it
// unchanged. It uses the Store interface only. The factory is called for every test (keep it
// cheap: a new SQLite file, a new PostgreSQL schema); the suite calls migrate() on the store it
// gets, and close() before the factory's cleanup.

import { describe, expect, it } from 'vitest';
import { apiKeysSuite } from './api-keys-suite.js';
import { bulkRetriesSuite } from './bulk-retries-suite.js';
import { claimsSuite } from './claims-suite.js';
import { deliveriesSuite } from './deliveries-suite.js';
import { endpointsSuite } from './endpoints-suite.js';
import { eventsSuite } from './events-suite.js';
import { filtersSuite } from './filters-suite.js';
import { addEndpoint, useStore, type PeerFactory } from './fixtures.js';
import { agreementSuite } from './agreement-suite.js';
import { announcementsSuite } from './announcements-suite.js';
import { leaseOwnersSuite } from './lease-owners-suite.js';
import { multiProcessSuite } from './multi-process-suite.js';
import { orderingSuite } from './ordering-suite.js';
import { observabilitySuite } from './observability-suite.js';
import { pacingSuite } from './pacing-suite.js';
import { pruneSuite } from './prune-suite.js';
import { secretsSuite } from './secrets-suite.js';
import { seriesSuite } from './series-suite.js';
import { signingKeysSuite } from './signing-keys-suite.js';
import { sourcesSuite } from './sources-suite.js';
import { binsSuite } from './bins-suite.js';
import { transferSuite } from './transfer-suite.js';
import { triggersSuite } from './triggers-suite.js';
import { searchSuite } from './search-suite.js';
import { alertsSuite } from './alerts-suite.js';
import { auditSuite } from './audit-suite.js';

export function runStoreConformance(
  name: string,
  factory: PeerFactory,
): void {
  describe(`Store conformance: ${name}`, () => {
    describe('lifecycle', () => {
      const store = useStore(factory);

      it('answers ping and names its dialect and capabilities', async () => {
        await expect(store().ping()).resolves.toBeUndefined();
        expect(typeof store().dialect).toBe('string');
        expect(store().dialect.length).toBeGreaterThan(0);
        expect(typeof store().capabilities.multiProcess).toBe('boolean');
        expect(typeof store().capabilities.crossProcessNotify).toBe('boolean');
      });

      it('migrate() again is a no-op that keeps the data', async () => {
        const endpoint = await addEndpoint(store());
        await store().migrate();
        await store().migrate();
        expect(await store().getEndpoint(endpoint.id, undefined)).toEqual(endpoint);
      });
    });

    agreementSuite(factory);
    announcementsSuite(factory);
    multiProcessSuite(factory);
    apiKeysSuite(factory);
    endpointsSuite(factory);
    eventsSuite(factory);
    claimsSuite(factory);
    orderingSuite(factory);
    leaseOwnersSuite(factory);
    pacingSuite(factory);
    deliveriesSuite(factory);
    sourcesSuite(factory);
    binsSuite(factory);
    pruneSuite(factory);
    secretsSuite(factory);
    signingKeysSuite(factory);
    transferSuite(factory);
    alertsSuite(factory);
    observabilitySuite(factory);
    seriesSuite(factory);
    bulkRetriesSuite(factory);
    triggersSuite(factory);
    filtersSuite(factory);
    searchSuite(factory);
    auditSuite(factory);
  });
}
