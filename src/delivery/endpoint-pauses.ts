// Per-endpoint pacing inside one process: a rate limit (requests per second, as the earliest time the
// next request may start) and a pause after the receiver throttled us (429/503 with Retry-After).
// Concurrency per endpoint is enforced by the store's claim query, across processes.

export interface EndpointLimiter {
  /**
   * Reserve a start slot: returns ms to wait before sending (0 = now). A wait longer than `maxHoldMs`
   * reserves nothing (the caller gives the delivery back to the store for later instead of holding it).
   */
  reserve(endpointId: string, ratePerSecond: number | null, now: number, maxHoldMs: number): number;
  /** Hold back new attempts to this endpoint until `until`. */
  pause(endpointId: string, until: number): void;
  pausedUntil(endpointId: string, now: number): number | null;
}

export function createEndpointLimiter(): EndpointLimiter {
  const nextSlot = new Map<string, number>();
  const paused = new Map<string, number>();
  return {
    reserve(endpointId, rate, now, maxHoldMs) {
      if (!rate) return 0;
      const interval = 1000 / rate;
      const slot = Math.max(now, nextSlot.get(endpointId) ?? 0);
      if (slot - now > maxHoldMs) return slot - now;
      nextSlot.set(endpointId, slot + interval);
      if (nextSlot.size > 100_000) nextSlot.clear();
      return slot - now;
    },
    pause(endpointId, until) {
      paused.set(endpointId, Math.max(until, paused.get(endpointId) ?? 0));
    },
    pausedUntil(endpointId, now) {
      const until = paused.get(endpointId);
      if (until === undefined) return null;
      if (until <= now) {
        paused.delete(endpointId);
        return null;
      }
      return until;
    },
  };
}
