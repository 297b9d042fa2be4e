// The retry schedule as a pure function. Deliveries are rows with next_attempt_at; nothing waits in
// a timer. The clock and the random source are parameters so tests are exact.

/** Seconds after the previous attempt (spec section 5): ten attempts over about three days. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

/** +-20% jitter spreads retries of a burst that failed together, so they do not return together. */
export const JITTER_RATIO = 0.2;

/**
 * Delay in ms before attempt number `attemptNumber` (1-based: the first attempt is 1), or null when the
 * schedule is exhausted. `random` returns [0, 1).
 */
export function scheduledDelayMs(schedule: readonly number[], attemptNumber: number, random: () => number): number | null {
  const seconds = schedule[attemptNumber - 1];
  if (seconds === undefined) return null;
  if (seconds === 0) return 0;
  const factor = 1 + JITTER_RATIO * (2 * random() - 1);
  return Math.round(seconds * 1000 * factor);
}

/** The un-jittered interval before attempt `attemptNumber`, in ms (used to cap Retry-After). */
export function nominalDelayMs(schedule: readonly number[], attemptNumber: number): number | null {
  const seconds = schedule[attemptNumber - 1];
  return seconds === undefined ? null : seconds * 1000;
}

/**
 * Parse a Retry-After header: delta seconds or an HTTP date. Returns ms from `now`, or null when the
 * header is absent or unreadable (a garbage value must not stall a delivery).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
