// Property-based hostile-input tests of the ingress and the publish route (bounded: 200 cases each
// in the default run; `npx tsx scripts/fuzz-ingress.ts` runs 100,000+). Plus the 10 MB bodies.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.js';
import { createFuzzTargets, ingressProperty, publishProperty, type FuzzTargets } from './inbound-fuzz-cases.js';
import { createInboundHarness, createSource, postIngress } from './inbound-helpers.js';

let h: Harness;
let targets: FuzzTargets;
beforeAll(async () => {
  h = await createInboundHarness({}, { HOOKD_API_RATE_LIMIT: '0' });
  targets = await createFuzzTargets(h);
});
afterAll(async () => {
  await h.close();
});

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

describe('hostile input', () => {
  it('the ingress never answers 500, never throws, never hangs', async () => {
    await fc.assert(ingressProperty(h, targets), { numRuns: RUNS, timeout: 5000 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('the publish route never answers 500, never throws, never hangs', async () => {
    await fc.assert(publishProperty(h), { numRuns: RUNS, timeout: 5000 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 120_000);

  it('10 MB bodies: refused over the cap, handled under a larger one, refused by the publish route', async () => {
    const tenMb = Buffer.alloc(10 * 1024 * 1024, 0x31);
    tenMb[0] = 0x5b; // '['
    tenMb.fill(',1', 1);
    tenMb[tenMb.length - 1] = 0x5d; // ']'
    const capped = await createSource(h, { verify: { scheme: 'none' }, eventType: 'fuzz.free' });
    expect((await postIngress(h, capped.id, tenMb)).status).toBe(413);
    const roomy = await createSource(h, { verify: { scheme: 'none' }, eventType: 'fuzz.free', maxBodyBytes: 16 * 1024 * 1024 });
    expect([202, 400]).toContain((await postIngress(h, roomy.id, tenMb)).status);
    const published = await h.request('POST', '/v1/events', { rawBody: tenMb, headers: { 'content-type': 'application/json' } });
    expect(published.status).toBe(413);
  }, 60_000);
});
