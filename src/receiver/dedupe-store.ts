// Remembering webhook ids so an at-least-once sender's redeliveries are processed once.
//
// The signed timestamp already refuses replays older than the tolerance (5 min), so a store only has
// to remember ids for at least that long; the default 24 h (Svix's advice) also absorbs hookd's
// manual redeliveries within a day. A TTL shorter than the tolerance reopens a replay window.

export interface DedupeStore {
  /**
   * Records `id` and reports whether it was already recorded (and not expired), as one atomic step:
   * two concurrent calls with the same id must not both answer false. A shared store (Redis SET NX
   * PX, a unique-key insert) gives that across processes; the memory store only within one process.
   */
  seen(id: string): Promise<boolean>;
  /**
   * Drops `id`, so the next delivery with it is processed. The receiver calls it when the handler
   * failed, so the sender's retry is not mistaken for a duplicate. Optional: without it a failed
   * event is not re-processed on retry.
   */
  forget?(id: string): Promise<void>;
}

export interface MemoryDedupeStoreOptions {
  /** How long an id is remembered, from first sight (not refreshed by duplicates). Default 24 h. */
  ttlMs?: number;
  /**
   * Upper bound on remembered ids; past it the oldest are dropped first. Default 100 000 (a few MB).
   * Bounded memory beats perfect recall: a flood of distinct signed ids cannot exhaust the heap, at
   * the cost of possibly re-processing a very old id.
   */
  maxEntries?: number;
  /** Clock in ms (Date.now() convention), injectable for tests. */
  now?: () => number;
}

export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_DEDUPE_MAX_ENTRIES = 100_000;

export interface MemoryDedupeStore extends DedupeStore {
  forget(id: string): Promise<void>;
  /** Number of remembered ids (after dropping expired ones). */
  size(): number;
}

/**
 * An in-process store. Right for a single process; with several replicas behind a load balancer a
 * redelivery can land on another replica, so use a shared store there.
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): MemoryDedupeStore {
  const ttlMs = options.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_DEDUPE_MAX_ENTRIES;
  const now = options.now ?? (() => Date.now());
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);

  // id -> expiry (ms). A Map iterates in insertion order, and every id is (re)inserted with
  // now + ttl, so the front of the map is always the next to expire: sweeping stops at the first
  // live entry and the cost is amortised O(1) per call. (A clock that steps backwards only delays
  // expiry; it never drops a live id early.)
  const expiries = new Map<string, number>();

  const sweep = (at: number): void => {
    for (const [id, expiresAt] of expiries) {
      if (expiresAt > at) break;
      expiries.delete(id);
    }
  };

  return {
    // Synchronous inside, so atomic within the process: no await between the check and the mark.
    async seen(id) {
      const at = now();
      sweep(at);
      const expiresAt = expiries.get(id);
      if (expiresAt !== undefined && expiresAt > at) return true;
      expiries.delete(id);
      expiries.set(id, at + ttlMs);
      while (expiries.size > maxEntries) {
        const oldest = expiries.keys().next();
        if (oldest.done === true) break;
        expiries.delete(oldest.value);
      }
      return false;
    },
    async forget(id) {
      expiries.delete(id);
    },
    size() {
      sweep(now());
      return expiries.size;
    },
  };
}
