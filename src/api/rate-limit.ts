// Per-API-key token bucket, in process memory. It protects one process from one noisy key; it is not
// a global quota across processes (documented in docs/operations.md).

export interface RateLimiter {
  /** 0 when allowed; otherwise seconds to wait. */
  take(key: string, now: number): number;
}

export function createRateLimiter(perSecond: number): RateLimiter {
  const burst = perSecond * 2;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, now) {
      if (perSecond <= 0) return 0;
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size > 100_000) buckets.clear();
        b = { tokens: burst, at: now };
        buckets.set(key, b);
      }
      // max(0, ...): a clock that steps backwards must not drain the bucket.
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    },
  };
}
