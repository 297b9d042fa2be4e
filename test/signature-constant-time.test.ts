import { describe, expect, it } from 'vitest';
import { safeEqual } from '../src/signature/index.js';

describe('safeEqual', () => {
  it('compares bytes and strings', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(safeEqual(new Uint8Array([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('returns false on a length mismatch instead of throwing like timingSafeEqual', () => {
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'a')).toBe(false);
    expect(safeEqual(Buffer.alloc(32), Buffer.alloc(31))).toBe(false);
    // Same characters, different UTF-8 byte lengths.
    expect(safeEqual('é', 'e')).toBe(false);
  });
});
