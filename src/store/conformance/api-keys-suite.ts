// API keys and the event-type catalogue.

import { describe, expect, it } from 'vitest';
import { ALL, makeApiKey, readAllPages, T0, useStore, type StoreFactory } from './fixtures.js';

export function apiKeysSuite(factory: StoreFactory): void {
  describe('api keys', () => {
    const store = useStore(factory);

    it('finds an inserted key by hash with every field intact, and nothing for an unknown hash', async () => {
      const key = makeApiKey({ role: 'tenant', tenant: 'acme', name: 'acme crm', lastUsedAt: T0 + 5 });
      await store().insertApiKey(key);
      expect(await store().findApiKeyByHash(key.hash)).toEqual(key);
      expect(await store().findApiKeyByHash('no-such-hash')).toBeNull();
    });

    it('revokes once: a revoked key is no longer found, a second revoke and an unknown id return false', async () => {
      const key = makeApiKey();
      await store().insertApiKey(key);
      expect(await store().revokeApiKey(key.id, T0 + 10)).toBe(true);
      expect(await store().findApiKeyByHash(key.hash)).toBeNull();
      expect(await store().revokeApiKey(key.id, T0 + 20)).toBe(false);
      expect(await store().revokeApiKey('key_00000000000000000000000000000000', T0)).toBe(false);
      const listed = (await store().listApiKeys(ALL)).data;
      expect(listed).toEqual([{ ...key, revokedAt: T0 + 10 }]);
    });

    it('revokes a portal link once; it stays revoked until its expiry, then the row is pruned', async () => {
      const id = 'pl_0000000000000000000000000000000a';
      expect(await store().isPortalLinkRevoked(id)).toBe(false);
      expect(await store().revokePortalLink(id, T0, T0 + 1000)).toBe(true);
      expect(await store().isPortalLinkRevoked(id)).toBe(true);
      expect(await store().revokePortalLink(id, T0 + 1, T0 + 1000)).toBe(false);
      expect(await store().isPortalLinkRevoked('pl_0000000000000000000000000000000b')).toBe(false);
      // A later revocation deletes the ones past their expiry (the link is refused as expired anyway).
      expect(await store().revokePortalLink('pl_0000000000000000000000000000000c', T0 + 2000, T0 + 5000)).toBe(true);
      expect(await store().isPortalLinkRevoked(id)).toBe(false);
      expect(await store().isPortalLinkRevoked('pl_0000000000000000000000000000000c')).toBe(true);
    });

    it('uses a single-use portal link once, even when many race; old uses are pruned', async () => {
      const id = 'pl_0000000000000000000000000000000d';
      const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => store().usePortalLink(id, T0 + i, T0 + 1000)));
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store().usePortalLink(id, T0 + 10, T0 + 1000)).toBe(false);
      expect(await store().usePortalLink('pl_0000000000000000000000000000000e', T0 + 10, T0 + 1000)).toBe(true);
      // A use past the first one's expiry deletes it (that link is refused as expired anyway).
      expect(await store().usePortalLink('pl_0000000000000000000000000000000f', T0 + 2000, T0 + 5000)).toBe(true);
      expect(await store().usePortalLink(id, T0 + 2001, T0 + 5000)).toBe(true);
    });

    it('lists newest first across pages, each key exactly once, nextCursor null at the end', async () => {
      const keys = [];
      for (let i = 0; i < 5; i += 1) {
        const key = makeApiKey({ createdAt: T0 + i });
        keys.push(key);
        await store().insertApiKey(key);
      }
      const pages = await readAllPages((cursor) => store().listApiKeys({ limit: 2, cursor }));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat().map((k) => k.id)).toEqual(keys.map((k) => k.id).reverse());
    });

    it('counts every key ever created, revoked ones included (first start means no key at all)', async () => {
      expect(await store().countApiKeys()).toBe(0);
      const a = makeApiKey();
      await store().insertApiKey(a);
      await store().insertApiKey(makeApiKey());
      await store().revokeApiKey(a.id, T0);
      expect(await store().countApiKeys()).toBe(2);
    });

    it('rejects a second key with the same hash', async () => {
      const key = makeApiKey();
      await store().insertApiKey(key);
      await expect(store().insertApiKey(makeApiKey({ hash: key.hash }))).rejects.toThrow();
    });
  });

  describe('event types', () => {
    const store = useStore(factory);
    const schema = { type: 'object', required: ['chatId'], properties: { chatId: { type: 'string' } } };

    it('puts and gets a type with schema and example', async () => {
      const put = await store().putEventType({
        name: 'chat.started',
        description: 'A chat began',
        schema,
        example: { chatId: 'c-1' },
        createdAt: T0,
        updatedAt: T0,
      });
      expect(put).toEqual({ name: 'chat.started', description: 'A chat began', schema, example: { chatId: 'c-1' }, createdAt: T0, updatedAt: T0 });
      expect(await store().getEventType('chat.started')).toEqual(put);
      expect(await store().getEventType('chat.ended')).toBeNull();
    });

    it('replacing a type keeps createdAt and takes everything else from the new version', async () => {
      await store().putEventType({ name: 'call.ended', description: 'old', schema, example: 1, createdAt: T0, updatedAt: T0 });
      const replaced = await store().putEventType({
        name: 'call.ended',
        description: null,
        schema: null,
        example: null,
        createdAt: T0 + 500,
        updatedAt: T0 + 500,
      });
      expect(replaced).toEqual({ name: 'call.ended', description: null, schema: null, example: null, createdAt: T0, updatedAt: T0 + 500 });
      expect(await store().getEventType('call.ended')).toEqual(replaced);
    });

    it('lists alphabetically with pagination and deletes by name', async () => {
      for (const name of ['payment.completed', 'agent.assigned', 'chat.started']) {
        await store().putEventType({ name, description: null, schema: null, example: null, createdAt: T0, updatedAt: T0 });
      }
      const pages = await readAllPages((cursor) => store().listEventTypes({ limit: 2, cursor }));
      expect(pages.map((p) => p.map((t) => t.name))).toEqual([['agent.assigned', 'chat.started'], ['payment.completed']]);
      expect(await store().deleteEventType('chat.started')).toBe(true);
      expect(await store().deleteEventType('chat.started')).toBe(false);
      expect((await store().listEventTypes(ALL)).data.map((t) => t.name)).toEqual(['agent.assigned', 'payment.completed']);
    });
  });
}
