import { describe, expect, it } from 'vitest';
import { withOpenCache, type SecretBox } from './secret-box.js';

/** A box that counts opens and refuses anything not sealed by it. */
function countingBox(): SecretBox & { opens: number } {
  const box = {
    opens: 0,
    seal: (plaintext: string) => `sealed:${plaintext}:${Math.random()}`,
    open(sealed: string) {
      box.opens += 1;
      const m = /^sealed:(.*):[0-9.]+$/.exec(sealed);
      if (m === null) throw new Error('not a sealed secret');
      return m[1]!;
    },
  };
  return box;
}

describe('withOpenCache', () => {
  it('opens each sealed text once and answers the same plaintext after', () => {
    const inner = countingBox();
    const box = withOpenCache(inner);
    const sealed = box.seal('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(inner.opens).toBe(1);
    // seal is never cached: each call seals afresh.
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('never remembers a failure, and stays bounded', () => {
    const inner = countingBox();
    const box = withOpenCache(inner, 2);
    expect(() => box.open('tampered')).toThrow('not a sealed secret');
    expect(() => box.open('tampered')).toThrow('not a sealed secret');
    expect(inner.opens).toBe(2);
    const [a, b, c] = ['a', 'b', 'c'].map((p) => box.seal(p)) as [string, string, string];
    box.open(a);
    box.open(b);
    box.open(c); // full at 2: starts over, holding c alone
    const before = inner.opens;
    box.open(c);
    expect(inner.opens).toBe(before);
    box.open(a);
    expect(inner.opens).toBe(before + 1);
  });
});
