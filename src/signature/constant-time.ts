// Constant-time comparison for signatures and tokens.
//
// Hazard: node's crypto.timingSafeEqual throws ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH when the lengths
// differ, so an attacker who sends a short signature turns a 401 into a 500 (and, in code that catches
// by truncating, into CVE-2024-21491-style bypasses). The length of a valid signature is public (it is
// fixed by the algorithm and encoding), so answering false early on a mismatch leaks nothing.

import { timingSafeEqual } from 'node:crypto';

/** True when `a` and `b` hold the same bytes; strings compare as UTF-8. Never throws on a length mismatch. */
export function safeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.byteLength !== right.byteLength) return false;
  return timingSafeEqual(left, right);
}
