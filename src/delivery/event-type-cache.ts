// The publisher's view of the event-type catalogue. Every publish needs its type (for the schema, or
// to refuse unknown types), and reading it from the store made a database round trip per event: on
// PostgreSQL at 1,000 single publishes/s that round trip competed for pooled connections with the
// publish transactions themselves. The catalogue changes rarely, so the publisher keeps it here.
//
// Decision: staleness is bounded by a TTL, not by cross-process notification. A change made through
// this process's API invalidates its entry at once (the event-type routes call invalidate()); a change
// made by another process sharing the database is seen here at most `ttlMs` later (default 5 s).
// "Not in the catalogue" is cached too (as null), under the same TTL: otherwise every publish of an
// uncatalogued type (accepted by default) would still cost a round trip. Size is bounded because type
// names come from clients: a stream of distinct unknown names must not grow memory without limit.

import type { EventType } from '../core/types.js';

export interface EventTypeCache {
  /** The catalogue entry for `name`, or null when there is none (possibly up to ttlMs stale). */
  get(name: string): Promise<EventType | null>;
  /** Drop `name` after it was created, replaced or deleted, so the next get() reads the store. */
  invalidate(name: string): void;
}

export interface EventTypeCacheOptions {
  load: (name: string) => Promise<EventType | null>;
  /** How long an entry (found or not found) is trusted; 0 disables caching. */
  ttlMs?: number | undefined;
  maxEntries?: number | undefined;
  /** Milliseconds from a monotonic clock by default, so a wall-clock step cannot stretch the TTL. */
  now?: (() => number) | undefined;
}

export const DEFAULT_EVENT_TYPE_TTL_MS = 5_000;
export const DEFAULT_EVENT_TYPE_CACHE_ENTRIES = 1_000;

interface Entry {
  value: EventType | null;
  expiresAt: number;
}

export function createEventTypeCache(options: EventTypeCacheOptions): EventTypeCache {
  const ttlMs = options.ttlMs ?? DEFAULT_EVENT_TYPE_TTL_MS;
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_EVENT_TYPE_CACHE_ENTRIES);
  const now = options.now ?? (() => performance.now());
  // Map order is insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  // Concurrent misses for one name share a single load (an expiry under load must not turn into a
  // burst of identical queries). invalidate() marks a load in flight as stale: it may have read the
  // row from before the change, so its result is neither cached nor handed to later callers.
  const loading = new Map<string, { promise: Promise<EventType | null>; stale: boolean }>();

  const remember = (name: string, value: EventType | null, readFrom: number): void => {
    entries.delete(name);
    entries.set(name, { value, expiresAt: readFrom + ttlMs });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  };

  return {
    get(name) {
      const hit = entries.get(name);
      if (hit) {
        if (hit.expiresAt > now()) {
          entries.delete(name);
          entries.set(name, hit);
          return Promise.resolve(hit.value);
        }
        entries.delete(name);
      }
      const pending = loading.get(name);
      if (pending) return pending.promise;
      // The TTL counts from before the read, so no entry outlives the row it shows by more than ttlMs.
      const readFrom = now();
      const flight = { promise: options.load(name), stale: false };
      loading.set(name, flight);
      const settle = (): void => {
        if (loading.get(name) === flight) loading.delete(name);
      };
      flight.promise.then(
        (value) => {
          settle();
          if (ttlMs > 0 && !flight.stale) remember(name, value, readFrom);
        },
        // Errors (database down) are not cached: the next publish asks again. The caller sees the
        // rejection through the promise it was handed.
        settle,
      );
      return flight.promise;
    },
    invalidate(name) {
      entries.delete(name);
      const flight = loading.get(name);
      if (flight) {
        flight.stale = true;
        loading.delete(name);
      }
    },
  };
}
