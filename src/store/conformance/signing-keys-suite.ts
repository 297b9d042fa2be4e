// Tenant ed25519 signing keys and the endpoint signing mode: round trip (private key sealed),
// tenant isolation, the generation race a rotation relies on, retirement and clean-up.

import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { SigningKey } from '../../core/signing-keys.js';
import { generateSigningKeyPair } from '../../signature/ed25519-keys.js';
import { addEndpoint, claimOne, publish, T0, useStore, type StoreFactory } from './fixtures.js';

function makeKey(over: Partial<SigningKey> = {}): SigningKey {
  const pair = generateSigningKeyPair();
  return { id: newId('signingKey'), tenant: null, generation: 1, secretKey: pair.secretKey, publicKey: pair.publicKey, createdAt: T0, signsFrom: T0, retiresAt: null, ...over };
}

export function signingKeysSuite(factory: StoreFactory): void {
  describe('signing keys', () => {
    const store = useStore(factory);

    it('round-trips a key with its private key opened, and seals it at rest', async () => {
      const key = makeKey({ tenant: 'acme', retiresAt: T0 + 99 });
      expect(await store().insertSigningKey(key, [])).toBe(true);
      expect(await store().listSigningKeys('acme')).toEqual([key]);
      const exported = await store().exportRows('signing_keys', null, 10);
      expect(exported.rows).toHaveLength(1);
      expect(JSON.stringify(exported.rows)).not.toContain(key.secretKey.slice(5));
      expect(exported.rows[0]!.public_key).toBe(key.publicKey);
    });

    it('keeps tenants apart: null is the no-tenant scope, undefined lists all, newest generation first', async () => {
      const none1 = makeKey({ tenant: null, generation: 1 });
      const none2 = makeKey({ tenant: null, generation: 2, createdAt: T0 + 1 });
      const acme = makeKey({ tenant: 'acme', generation: 1 });
      const globex = makeKey({ tenant: 'globex', generation: 1 });
      for (const k of [none1, none2, acme, globex]) expect(await store().insertSigningKey(k, [])).toBe(true);
      expect((await store().listSigningKeys(null)).map((k) => k.id)).toEqual([none2.id, none1.id]);
      expect((await store().listSigningKeys('acme')).map((k) => k.id)).toEqual([acme.id]);
      expect((await store().listSigningKeys('globex')).map((k) => k.id)).toEqual([globex.id]);
      expect(await store().listSigningKeys('nobody')).toEqual([]);
      expect((await store().listSigningKeys(undefined)).map((k) => k.id).sort()).toEqual([none1.id, none2.id, acme.id, globex.id].sort());
    });

    it('refuses a second key of the same tenant and generation (two rotations at once make one key)', async () => {
      const first = makeKey({ tenant: 'acme', generation: 1 });
      await store().insertSigningKey(first, []);
      const a = makeKey({ tenant: 'acme', generation: 2, createdAt: T0 + 10 });
      const b = makeKey({ tenant: 'acme', generation: 2, createdAt: T0 + 10 });
      const results = await Promise.all([store().insertSigningKey(a, [{ id: first.id, retiresAt: T0 + 100 }]), store().insertSigningKey(b, [{ id: first.id, retiresAt: T0 + 50 }])]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const keys = await store().listSigningKeys('acme');
      expect(keys).toHaveLength(2);
      const winner = results[0] ? a : b;
      expect(keys[0]!.id).toBe(winner.id);
      expect(keys[1]!.retiresAt).toBe(results[0] ? T0 + 100 : T0 + 50);
      // the same generation in another tenant is fine
      expect(await store().insertSigningKey(makeKey({ tenant: 'globex', generation: 2 }), [])).toBe(true);
    });

    it('moves retirement earlier, never later, and only within the tenant', async () => {
      const old = makeKey({ tenant: 'acme', generation: 1, retiresAt: T0 + 500 });
      const other = makeKey({ tenant: 'globex', generation: 1 });
      await store().insertSigningKey(old, []);
      await store().insertSigningKey(other, []);
      await store().insertSigningKey(makeKey({ tenant: 'acme', generation: 2, createdAt: T0 + 1 }), [{ id: old.id, retiresAt: T0 + 900 }, { id: other.id, retiresAt: T0 + 2 }]);
      expect((await store().listSigningKeys('acme')).find((k) => k.id === old.id)?.retiresAt).toBe(T0 + 500);
      expect((await store().listSigningKeys('globex'))[0]!.retiresAt).toBeNull();
      await store().insertSigningKey(makeKey({ tenant: 'acme', generation: 3, createdAt: T0 + 2 }), [{ id: old.id, retiresAt: T0 + 300 }]);
      expect((await store().listSigningKeys('acme')).find((k) => k.id === old.id)?.retiresAt).toBe(T0 + 300);
    });

    it('drops keys retired by the time a successor is created', async () => {
      const gone = makeKey({ tenant: 'acme', generation: 1, retiresAt: T0 + 10 });
      const live = makeKey({ tenant: 'acme', generation: 2, retiresAt: T0 + 1000 });
      await store().insertSigningKey(gone, []);
      await store().insertSigningKey(live, []);
      await store().insertSigningKey(makeKey({ tenant: 'acme', generation: 3, createdAt: T0 + 20 }), []);
      expect((await store().listSigningKeys('acme')).map((k) => k.generation)).toEqual([3, 2]);
    });

    it('stores the endpoint signing mode, updates it and hands it to the dispatcher with the claim', async () => {
      const endpoint = await addEndpoint(store(), { signing: 'ed25519', tenant: 'acme' });
      expect((await store().getEndpoint(endpoint.id, 'acme'))?.signing).toBe('ed25519');
      const updated = await store().updateEndpoint(endpoint.id, 'acme', { signing: 'both', updatedAt: T0 + 1 });
      expect(updated?.signing).toBe('both');
      await publish(store(), { tenant: 'acme' });
      const claim = await claimOne(store(), T0 + 1_000_000);
      expect(claim.endpoint.signing).toBe('both');
      const plain = await addEndpoint(store());
      expect((await store().getEndpoint(plain.id, undefined))?.signing).toBe('hmac');
    });
  });
}
