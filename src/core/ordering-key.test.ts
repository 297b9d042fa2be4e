import { describe, expect, it } from 'vitest';
import { checkOrderingKey, orderingKeyProblem } from './ordering-key.js';

describe('ordering keys', () => {
  it('accepts ordinary text, emoji and the longest key', () => {
    for (const key of ['chat-42', 'customer:ACME/7', 'café \u{1F600}', 'k'.repeat(256)]) expect(orderingKeyProblem(key)).toBeNull();
  });

  it('names what is wrong with a bad key', () => {
    expect(orderingKeyProblem(7)).toBe('must be a string');
    expect(orderingKeyProblem('')).toBe('must not be empty');
    expect(orderingKeyProblem('k'.repeat(257))).toBe('must be at most 256 characters');
    for (const key of ['a\u0000', 'a\nb', 'a\u007f', 'a\u0085', '\ud800x', 'x\udc00']) {
      expect(orderingKeyProblem(key)).toBe('must not contain control characters or lone surrogates');
    }
  });

  it('absent is no key; a bad one is validation_failed at the path given', () => {
    expect(checkOrderingKey(undefined, '/orderingKey')).toBeNull();
    expect(checkOrderingKey(null, '/orderingKey')).toBeNull();
    expect(() => checkOrderingKey('', '/body/events/3/orderingKey')).toThrow(expect.objectContaining({ code: 'validation_failed', errors: [{ path: '/body/events/3/orderingKey', message: 'must not be empty' }] }));
  });
});
