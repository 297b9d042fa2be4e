import { describe, expect, it } from 'vitest';
import { keyState, nextRotationAt, planRotation, publishedKeys, signingKeysAt, type SigningKey } from './signing-keys.js';

const DAY = 86_400_000;
const policy = { overlapMs: DAY, publishLeadMs: 300_000, intervalMs: 90 * DAY };
const key = (over: Partial<SigningKey>): SigningKey => ({ id: 'k', tenant: null, generation: 1, secretKey: 's', publicKey: 'p', createdAt: 0, signsFrom: 0, retiresAt: null, ...over });

describe('signing key plans', () => {
  it('the first key signs at once', () => {
    expect(planRotation([], 1000, policy)).toEqual({ generation: 1, signsFrom: 1000, retire: [] });
  });

  it('rotates only when due (or forced), publishing first and retiring after the overlap', () => {
    const k1 = key({ id: 'k1' });
    expect(planRotation([k1], 89 * DAY, policy)).toBeNull();
    const due = planRotation([k1], 90 * DAY, policy)!;
    expect(due).toEqual({ generation: 2, signsFrom: 90 * DAY + 300_000, retire: [{ id: 'k1', retiresAt: 91 * DAY + 300_000 }] });
    expect(planRotation([k1], 10, policy, true)?.generation).toBe(2);
    expect(planRotation([k1], 10, { ...policy, intervalMs: 0 })).toBeNull();
  });

  it('never stacks a rotation on one whose key does not sign yet; never moves a retirement later', () => {
    const k1 = key({ id: 'k1', retiresAt: 500_000 });
    const k2 = key({ id: 'k2', generation: 2, createdAt: 100, signsFrom: 400_000 });
    expect(planRotation([k1, k2], 200_000, policy, true)).toBeNull();
    const plan = planRotation([k1, k2], 450_000, policy, true)!;
    expect(plan.retire).toEqual([{ id: 'k2', retiresAt: 450_000 + 300_000 + DAY }, { id: 'k1', retiresAt: 500_000 }]);
  });

  it('starts over at once when every key has retired (a long-stopped install)', () => {
    expect(planRotation([key({ retiresAt: 10 })], 20, policy)).toEqual({ generation: 2, signsFrom: 20, retire: [] });
  });

  it('states, the published set and the signers follow the clock', () => {
    const k1 = key({ id: 'k1', retiresAt: 1000 });
    const k2 = key({ id: 'k2', generation: 2, signsFrom: 500 });
    expect([keyState(k1, 100), keyState(k2, 100)]).toEqual(['retiring', 'next']);
    expect(publishedKeys([k1, k2], 100).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(signingKeysAt([k1, k2], 100).map((k) => k.id)).toEqual(['k1']);
    expect(signingKeysAt([k1, k2], 600).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(signingKeysAt([k1, k2], 1000).map((k) => k.id)).toEqual(['k2']);
    expect(publishedKeys([k1, k2], 1000).map((k) => k.id)).toEqual(['k2']);
    expect(nextRotationAt([k1, k2], policy)).toBe(90 * DAY);
    expect(nextRotationAt([], policy)).toBeNull();
  });
});
