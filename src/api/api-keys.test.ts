import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, sameHash } from './api-keys.js';

describe('hashApiKey', () => {
  it('is the sha256 hex digest of the key as UTF-8, so hashes stored by earlier versions still match', () => {
    // FIPS 180-2's "abc" vector, and a non-ASCII key (UTF-8, not Latin-1).
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashApiKey('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    const key = generateApiKey();
    expect(sameHash(hashApiKey(key), hashApiKey(key))).toBe(true);
    expect(sameHash(hashApiKey(key), hashApiKey(`${key}x`))).toBe(false);
  });
});
