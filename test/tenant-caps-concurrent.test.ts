// The per-tenant caps on endpoints (HOOKD_MAX_ENDPOINTS_PER_TENANT) and request bins
// (HOOKD_BIN_MAX_PER_TENANT) hold when the creates arrive at the same moment. The routes used to
// count, then insert: every request that counted before the others inserted got through, so N
// concurrent creates could exceed the cap by up to N - 1. The count and the insert are now one step
// in the store (an IMMEDIATE transaction on SQLite, a per-tenant advisory lock on PostgreSQL).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { createHarness, type Harness } from './helpers/harness.js';

const CAP = 3;
const CONCURRENT = 12;

for (const storeName of ['sqlite', 'postgres'] as const) {
  describe(`${storeName}: per-tenant caps under concurrent creates`, () => {
    let h: Harness;
    const schema = freshSchema('hookd_caps');

    beforeAll(async () => {
      const env: Record<string, string> = storeName === 'postgres' ? { DATABASE_URL: schemaUrl(SHARED_URL, schema) } : {};
      h = await createHarness({ env, maxEndpointsPerTenant: CAP, binMaxPerTenant: CAP });
    });

    afterAll(async () => {
      await h.close();
      if (storeName === 'postgres') await dropSchema(schema);
    });

    it(`${CONCURRENT} endpoint creates at once for one tenant: exactly ${CAP} succeed, the rest get endpoint_limit_reached`, async () => {
      const answers = await Promise.all(
        Array.from({ length: CONCURRENT }, () => h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/caps', tenant: 'race' } })),
      );
      const created = answers.filter((a) => a.status === 201);
      const refused = answers.filter((a) => a.status !== 201);
      expect(created).toHaveLength(CAP);
      expect(refused).toHaveLength(CONCURRENT - CAP);
      for (const a of refused) {
        expect(a.status).toBe(409);
        expect(String(a.headers['content-type'])).toContain('application/problem+json');
        expect(a.body.code).toBe('endpoint_limit_reached');
      }
      expect(await h.runtime.store.countEndpoints('race')).toBe(CAP);
      // Another tenant, and endpoints without a tenant, have caps of their own.
      expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/caps', tenant: 'other' } })).status).toBe(201);
      expect((await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1/caps' } })).status).toBe(201);
    });

    it('a refused create leaves no audit record; each created endpoint has one', async () => {
      const page = await h.runtime.store.listAudit({ tenant: 'race', action: 'endpoint.create' }, { limit: 100 });
      expect(page.data).toHaveLength(CAP);
    });

    it(`${CONCURRENT} bin creates at once for one tenant: exactly ${CAP} succeed, the rest get bin_limit_reached`, async () => {
      const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => h.request('POST', '/v1/bins', { body: { name: `b${i}`, tenant: 'race' } })));
      const created = answers.filter((a) => a.status === 201);
      expect(created).toHaveLength(CAP);
      for (const a of answers.filter((x) => x.status !== 201)) {
        expect(a.status).toBe(409);
        expect(a.body.code).toBe('bin_limit_reached');
      }
      expect(await h.runtime.store.countBins('race')).toBe(CAP);
    });
  });
}
