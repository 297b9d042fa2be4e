// Send slots of a rate-limited endpoint, as the claim hands them out: `rate` per second means slots
// 1000/rate ms apart, starting at max(now, the endpoint's next free slot). Pure, so the arithmetic
// can be reasoned about (and tested) apart from SQL.
//
// Offsets are computed as round(i * 1000 / rate) from the first slot, never by adding a rounded
// interval i times: 3/s gives 0, 333, 667, 1000 (no drift), and the usual rates (2, 4, 10 /s) give
// exact integers.

export interface SlotWindow {
  /** The first slot this claim may hand out. */
  start: number;
  /** How many slots fall within [now, now + holdMs]. */
  room: number;
}

/**
 * Slack for the floating-point room computation: a slot exactly at now + holdMs counts even when
 * span * rate / 1000 comes out a hair below an integer (fractional rates).
 */
const EPSILON = 1e-9;

export function slotWindow(rate: number, nextFree: number | null, now: number, holdMs: number): SlotWindow {
  const start = Math.max(now, nextFree ?? 0);
  const span = now + holdMs - start;
  if (span < 0) return { start, room: 0 };
  return { start, room: Math.floor((span * rate) / 1000 + EPSILON) + 1 };
}

/** The i-th slot (0-based) from `start`. */
export function slotAt(start: number, rate: number, i: number): number {
  return start + Math.round((i * 1000) / rate);
}
