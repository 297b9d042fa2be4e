// Request bins: round trip with the sealed secret, tenant scoping, the per-bin request cap (oldest
// pruned, the lifetime count kept), raw bytes kept byte for byte, expiry pruning.

import { describe, expect, it } from 'vitest';
import type { Bin, BinRequest } from '../../core/bin-types.js';
import { DEFAULT_MOCK } from '../../core/mock-behaviour.js';
import { newId } from '../../core/ids.js';
import { ALL, readAllPages, T0, useStore, type StoreFactory } from './fixtures.js';

let seq = 0;
function makeBin(over: Partial<Bin> = {}): Bin {
  seq += 1;
  return {
    id: `bin_${seq.toString(16).padStart(8, '0')}${'a'.repeat(24)}`,
    tenant: null,
    name: `bin ${seq}`,
    behaviour: { ...DEFAULT_MOCK },
    responseBody: null,
    secret: null,
    expiresAt: T0 + 86_400_000,
    createdAt: T0 + seq,
    ...over,
  };
}

function makeRequest(binId: string, over: Partial<BinRequest> = {}): BinRequest {
  return {
    id: newId('binRequest'),
    binId,
    method: 'POST',
    path: '/hooks?x=1',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([0, 255, 1, 254]),
    size: 4,
    truncated: false,
    remoteAddress: '127.0.0.1',
    receivedAt: T0,
    ...over,
  };
}

export function binsSuite(factory: StoreFactory): void {
  describe('request bins', () => {
    const store = useStore(factory);

    it('round-trips a bin, its behaviour and its secret, scoped to its tenant', async () => {
      const bin = makeBin({
        tenant: 'acme',
        behaviour: { ...DEFAULT_MOCK, status: 503, failRate: 0.25, latency: { min: 5, max: 50 }, retryAfter: 7 },
        responseBody: '{"ok":true}',
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      });
      await store().insertBin(bin);
      expect(await store().getBin(bin.id, 'acme')).toEqual(bin);
      expect(await store().getBin(bin.id, undefined)).toEqual(bin);
      expect(await store().getBin(bin.id, 'other')).toBeNull();
      expect(await store().getBin(bin.id, null)).toBeNull();
      expect(await store().countBins('acme')).toBe(1);
      expect(await store().countBins(null)).toBe(0);
      expect(await store().updateBin(bin.id, 'other', { name: 'x' })).toBeNull();
      const updated = await store().updateBin(bin.id, 'acme', { name: 'renamed', secret: null, expiresAt: T0 + 5 });
      expect(updated).toEqual({ ...bin, name: 'renamed', secret: null, expiresAt: T0 + 5 });
      expect(await store().getBin(bin.id, 'acme')).toEqual(updated);
    });

    it('inserts under a per-tenant limit: refused at the limit, nothing written, other tenants unaffected', async () => {
      expect(await store().insertBin(makeBin({ tenant: 'acme' }), 1)).toBe(true);
      const second = makeBin({ tenant: 'acme' });
      expect(await store().insertBin(second, 1)).toBe(false);
      expect(await store().getBin(second.id, undefined)).toBeNull();
      expect(await store().countBins('acme')).toBe(1);
      expect(await store().insertBin(makeBin({ tenant: null }), 1)).toBe(true);
      expect(await store().insertBin(makeBin({ tenant: null }), 1)).toBe(false);
      expect(await store().countBins(null)).toBe(1);
    });

    it('lists bins newest first over pages', async () => {
      const made = [makeBin(), makeBin(), makeBin(), makeBin({ tenant: 't' })];
      for (const b of made) await store().insertBin(b);
      const pages = await readAllPages((cursor) => store().listBins(null, { limit: 2, cursor }));
      expect(pages.flat().map((b) => b.id)).toEqual([made[2]!.id, made[1]!.id, made[0]!.id]);
      expect((await store().listBins(undefined, ALL)).data).toHaveLength(4);
      expect((await store().listBins('t', ALL)).data.map((b) => b.id)).toEqual([made[3]!.id]);
    });

    it('keeps raw bytes, counts every request and prunes the oldest beyond the cap', async () => {
      const bin = makeBin();
      await store().insertBin(bin);
      const sent: BinRequest[] = [];
      for (let i = 0; i < 5; i += 1) {
        const r = makeRequest(bin.id, { receivedAt: T0 + i, path: `/n/${i}` });
        sent.push(r);
        expect(await store().recordBinRequest(r, 3)).toBe(i + 1);
      }
      const kept = await readAllPages((cursor) => store().listBinRequests(bin.id, { limit: 2, cursor }));
      expect(kept.flat().map((r) => r.path)).toEqual(['/n/4', '/n/3', '/n/2']);
      const one = await store().getBinRequest(bin.id, sent[4]!.id);
      expect(one).toEqual(sent[4]);
      expect(one!.body.equals(Buffer.from([0, 255, 1, 254]))).toBe(true);
      expect(await store().getBinRequest(bin.id, sent[0]!.id)).toBeNull();
      expect(await store().getBinRequest('bin_other', sent[4]!.id)).toBeNull();
      expect(await store().recordBinRequest(makeRequest('bin_gone'), 3)).toBeNull();
    });

    it('deletes a bin with its requests, and prunes expired bins only', async () => {
      const old = makeBin({ expiresAt: T0 - 1 });
      const live = makeBin({ expiresAt: T0 + 1000 });
      await store().insertBin(old);
      await store().insertBin(live);
      await store().recordBinRequest(makeRequest(old.id), 10);
      await store().recordBinRequest(makeRequest(live.id), 10);
      expect(await store().pruneBins(T0, 100)).toBe(1);
      expect(await store().getBin(old.id, undefined)).toBeNull();
      expect((await store().listBinRequests(old.id, ALL)).data).toEqual([]);
      expect(await store().getBin(live.id, undefined)).not.toBeNull();
      expect(await store().deleteBin(live.id, 'someone')).toBe(false);
      expect(await store().deleteBin(live.id, null)).toBe(true);
      expect((await store().listBinRequests(live.id, ALL)).data).toEqual([]);
      expect(await store().deleteBin(live.id, null)).toBe(false);
    });
  });
}
