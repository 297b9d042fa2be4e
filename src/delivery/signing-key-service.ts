// The tenant signing keys as the dispatcher and the API use them: loaded from the store, cached
// briefly, created on first use and rotated when due (the plans are core/signing-keys.ts).
//
// Several processes share one store: each reads the keys at most every CACHE_MS and computes the
// key states from their absolute times, so they all sign with the same keys at the same moments. Two
// processes rotating at once insert the same generation; the store keeps one and the loser rereads.

import type { KeyObject } from 'node:crypto';
import { outsideAuditScope } from '../core/audit.js';
import { newId } from '../core/ids.js';
import { nextRotationAt, planRotation, publishedKeys, signingKeysAt, type RotationPolicy, type SigningKey } from '../core/signing-keys.js';
import { decodeSigningKey, generateSigningKeyPair } from '../signature/ed25519-keys.js';
import type { Store } from '../store/store.js';

const CACHE_MS = 30_000;
const MAX_CACHED_TENANTS = 10_000;

export interface Signer {
  kid: string;
  key: KeyObject;
}

export interface SigningKeyService {
  readonly policy: RotationPolicy;
  /** Keys that sign this tenant's deliveries now, newest first; creates the first key, rotates when due. */
  signers(tenant: string | null): Promise<Signer[]>;
  /** What the key set publishes (never creates a key: the key set is public). */
  published(tenant: string | null): Promise<SigningKey[]>;
  /** Every stored key under the filter (admin views); rotates none. */
  list(tenant: string | null | undefined): Promise<SigningKey[]>;
  /** Make sure the tenant has a key (an endpoint switched to ed25519). */
  ensure(tenant: string | null): Promise<SigningKey[]>;
  /** Rotate now; false when a rotation is already under way (its new key does not sign yet). */
  rotate(tenant: string | null): Promise<{ rotated: boolean; keys: SigningKey[] }>;
  nextRotationAt(keys: readonly SigningKey[]): number | null;
}

interface Cached {
  keys: SigningKey[];
  loadedAt: number;
  decoded: Map<string, KeyObject>;
}

export function createSigningKeyService(opts: { store: Store; policy: RotationPolicy; now?: () => number }): SigningKeyService {
  const now = opts.now ?? Date.now;
  const { store, policy } = opts;
  const cache = new Map<string, Cached>();
  const loading = new Map<string, Promise<Cached>>();
  const scope = (tenant: string | null): string => tenant ?? '';

  async function apply(tenant: string | null, keys: SigningKey[], force: boolean): Promise<boolean> {
    const at = now();
    const plan = planRotation(keys, at, policy, force);
    if (plan === null) return false;
    const pair = generateSigningKeyPair();
    const key: SigningKey = { id: newId('signingKey'), tenant, generation: plan.generation, secretKey: pair.secretKey, publicKey: pair.publicKey, createdAt: at, signsFrom: plan.signsFrom, retiresAt: null };
    return store.insertSigningKey(key, plan.retire);
  }

  async function load(tenant: string | null, create: boolean): Promise<Cached> {
    let keys = await store.listSigningKeys(tenant);
    // Rotation is lazy: whoever reads a tenant's keys first after they fall due rotates them.
    if ((keys.length > 0 || create) && (await apply(tenant, keys, false))) keys = await store.listSigningKeys(tenant);
    else if (keys.length === 0 && create) keys = await store.listSigningKeys(tenant); // lost the race: read the winner's
    const previous = cache.get(scope(tenant));
    const decoded = new Map<string, KeyObject>();
    for (const k of keys) decoded.set(k.id, previous?.decoded.get(k.id) ?? decodeSigningKey(k.secretKey));
    const entry = { keys, loadedAt: now(), decoded };
    // The key set is public: a flood of requests for made-up tenants must not grow the cache.
    if (keys.length > 0) {
      if (cache.size >= MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value!);
      cache.set(scope(tenant), entry);
    }
    return entry;
  }

  async function get(tenant: string | null, create: boolean): Promise<Cached> {
    const hit = cache.get(scope(tenant));
    if (hit && now() - hit.loadedAt < CACHE_MS && (hit.keys.length > 0 || !create)) return hit;
    const key = `${create ? 'c' : 'r'}:${scope(tenant)}`;
    let pending = loading.get(key);
    if (!pending) {
      // Shared by every caller, and the keys it may create or rotate are nobody's change: outside
      // the audit scope of the request that happened to ask first (core/audit.ts).
      pending = outsideAuditScope(() => load(tenant, create)).finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    return pending;
  }

  return {
    policy,
    async signers(tenant) {
      const entry = await get(tenant, true);
      return signingKeysAt(entry.keys, now()).map((k) => ({ kid: k.id, key: entry.decoded.get(k.id)! }));
    },
    async published(tenant) {
      return publishedKeys((await get(tenant, false)).keys, now());
    },
    async list(tenant) {
      if (tenant === undefined) return store.listSigningKeys(undefined);
      return (await get(tenant, false)).keys;
    },
    async ensure(tenant) {
      return (await get(tenant, true)).keys;
    },
    async rotate(tenant) {
      const keys = await store.listSigningKeys(tenant);
      const rotated = await apply(tenant, keys, true);
      cache.delete(scope(tenant));
      return { rotated, keys: (await get(tenant, false)).keys };
    },
    nextRotationAt: (keys) => nextRotationAt(keys, policy),
  };
}
