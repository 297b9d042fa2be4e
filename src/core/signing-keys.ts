// Per-tenant ed25519 signing keys and their rotation, as pure functions of the stored keys and the
// clock (no I/O: the key service in delivery/ applies the plans through the store).
//
// A key's life: published (in the key set) from `createdAt`, signing from `signsFrom`, gone from
// both at `retiresAt`. A rotation
//   1. publishes the new key at once, signing only from `now + publishLead` (the key set's cache
//      lifetime, so every receiver that honours Cache-Control has seen it before its first use);
//   2. signs with old and new side by side for `overlap` (default 24 h): a receiver with either key
//      verifies;
//   3. retires the old key (out of the key set, never used again).
// The first key of a tenant signs at once: nobody can have cached a set it is missing from.

export interface SigningKey {
  /** The key id (`kid` in the key set, named in `webhook-key-id`). */
  id: string;
  tenant: string | null;
  /** 1, 2, ... per tenant; the store refuses a second key with the same one (rotation race). */
  generation: number;
  /** `whsk_...`; sealed at rest. */
  secretKey: string;
  /** `whpk_...`. */
  publicKey: string;
  createdAt: number;
  signsFrom: number;
  retiresAt: number | null;
}

export type SigningKeyState = 'next' | 'active' | 'retiring' | 'retired';

export interface RotationPolicy {
  /** Old and new both sign this long (ms). */
  overlapMs: number;
  /** A new key is published this long before it signs (ms). */
  publishLeadMs: number;
  /** Rotate automatically when the newest key is this old (ms); 0 = only on request. */
  intervalMs: number;
}

export function keyState(key: SigningKey, now: number): SigningKeyState {
  if (key.retiresAt !== null && key.retiresAt <= now) return 'retired';
  if (key.signsFrom > now) return 'next';
  return key.retiresAt === null ? 'active' : 'retiring';
}

/** What the key set publishes: every key not retired, newest first. */
export function publishedKeys(keys: readonly SigningKey[], now: number): SigningKey[] {
  return newestFirst(keys).filter((k) => keyState(k, now) !== 'retired');
}

/** What signs a delivery now: active and retiring keys, newest first. */
export function signingKeysAt(keys: readonly SigningKey[], now: number): SigningKey[] {
  return newestFirst(keys).filter((k) => {
    const state = keyState(k, now);
    return state === 'active' || state === 'retiring';
  });
}

/** The next automatic rotation, or null when rotation is manual (or no key exists yet). */
export function nextRotationAt(keys: readonly SigningKey[], policy: RotationPolicy): number | null {
  const newest = newestFirst(keys)[0];
  if (!newest || policy.intervalMs <= 0) return null;
  return newest.createdAt + policy.intervalMs;
}

export interface RotationPlan {
  generation: number;
  signsFrom: number;
  /** Keys to retire and when (never later than they already retire). */
  retire: Array<{ id: string; retiresAt: number }>;
}

/**
 * The rotation to apply now, or null. `force` rotates even before the interval (a manual rotation);
 * a rotation whose new key is not signing yet is never stacked on (null).
 */
export function planRotation(keys: readonly SigningKey[], now: number, policy: RotationPolicy, force = false): RotationPlan | null {
  const sorted = newestFirst(keys);
  const newest = sorted[0];
  const generation = (newest?.generation ?? 0) + 1;
  const live = sorted.filter((k) => keyState(k, now) !== 'retired');
  if (live.length === 0) return { generation, signsFrom: now, retire: [] };
  if (live.some((k) => keyState(k, now) === 'next')) return null;
  const due = policy.intervalMs > 0 && newest !== undefined && now >= newest.createdAt + policy.intervalMs;
  if (!force && !due) return null;
  const signsFrom = now + policy.publishLeadMs;
  const retiresAt = signsFrom + policy.overlapMs;
  return {
    generation,
    signsFrom,
    retire: live.map((k) => ({ id: k.id, retiresAt: k.retiresAt === null ? retiresAt : Math.min(k.retiresAt, retiresAt) })),
  };
}

function newestFirst(keys: readonly SigningKey[]): SigningKey[] {
  return [...keys].sort((a, b) => b.generation - a.generation);
}
