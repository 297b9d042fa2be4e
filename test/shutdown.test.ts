// Graceful shutdown: stop claiming, let in-flight attempts finish within the grace period, release the
// rest so they are claimable at once.

import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { loadOrCreateSecretKey } from '../src/runtime/secret-key.js';
import { openStore } from '../src/runtime/open-store.js';
import { createHarness } from './helpers/harness.js';
import { startReceiver } from './helpers/receiver.js';

async function reopen(dir: string) {
  const { key } = loadOrCreateSecretKey('', dir);
  return openStore(`sqlite:${join(dir, 'hookd.db')}`, dir, createAesGcmBox(key));
}

describe('graceful shutdown', () => {
  it('lets an in-flight attempt finish within the grace period and records it', async () => {
    const receiver = await startReceiver((_req, res) => setTimeout(() => res.writeHead(200).end('late ok'), 800));
    const h = await createHarness({ shutdownGraceMs: 5000 });
    try {
      await h.request('POST', '/v1/endpoints', { body: { url: receiver.url } });
      const evt = await h.request('POST', '/v1/events', { body: { type: 'a.b', data: {} } });
      await receiver.waitFor(1);
      await h.runtime.close();
      const store = await reopen(h.dir);
      const page = await store.listDeliveries({ tenant: undefined, eventId: evt.body.id }, { limit: 10 });
      expect(page.data[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
      await store.close();
    } finally {
      await receiver.close();
      rmSync(h.dir, { recursive: true, force: true });
    }
  });

  it('releases attempts still running when the grace period ends, claimable at once', async () => {
    const receiver = await startReceiver(() => undefined);
    const h = await createHarness({ shutdownGraceMs: 300 });
    try {
      await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, timeoutMs: 30_000 } });
      const evt = await h.request('POST', '/v1/events', { body: { type: 'a.b', data: {} } });
      await receiver.waitFor(1);
      const before = Date.now();
      await h.runtime.close();
      expect(Date.now() - before).toBeLessThan(5000);
      const store = await reopen(h.dir);
      const page = await store.listDeliveries({ tenant: undefined, eventId: evt.body.id }, { limit: 10 });
      expect(page.data[0]).toMatchObject({ status: 'pending', attempts: 0 });
      expect(page.data[0]!.nextAttemptAt!).toBeLessThanOrEqual(Date.now());
      const claims = await store.claimDue({ now: Date.now(), limit: 10, owner: 'next-worker', leaseGraceMs: 1000 });
      expect(claims.map((c) => c.delivery.eventId)).toEqual([evt.body.id]);
      await store.close();
    } finally {
      await receiver.close();
      rmSync(h.dir, { recursive: true, force: true });
    }
  });
});
