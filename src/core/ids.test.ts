import { describe, expect, it } from 'vitest';
import { isId, newId, randomHex } from './ids.js';

describe('newId', () => {
  it('gives prefixed UUIDv7 hex ids that are unique and sort in creation order, across pool refills', () => {
    // 5,000 ids use the 1,024-word random pool several times over (each id takes up to 3 words).
    const ids = Array.from({ length: 5000 }, () => newId('attempt'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 50)) {
      expect(isId('attempt', id)).toBe(true);
      // Version 7, RFC 9562 variant: the 13th hex digit is 7, the 17th one of 8-b.
      const hex = id.slice(4);
      expect(hex[12]).toBe('7');
      expect('89ab').toContain(hex[16]);
    }
  });

  it('puts the creation time in the first 48 bits', () => {
    const before = Date.now();
    const id = newId('event');
    const after = Date.now();
    const ms = Number.parseInt(id.slice(4, 16), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });
});

describe('randomHex', () => {
  it('gives 8 hex digits a word, different each time, across pool refills', () => {
    // 1,000 tokens of 3 words take the 1,024-word pool round almost three times.
    const tokens = Array.from({ length: 1000 }, () => randomHex(3));
    // Exactly 24 digits: a word with leading zero bits keeps them as digits.
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});
