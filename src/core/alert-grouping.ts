// Grouping of alerts: at most one notification per rule, subject and window, and one resolved notice
// when a firing condition clears. The store enforces the "only one" across processes with a unique
// row per (rule, subject, window); this file decides what that row's key is and what to send.

/** The window a moment falls in: windows are aligned to the epoch so every process computes the same one. */
export function alertWindowStart(now: number, windowMs: number): number {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be a positive integer');
  return Math.floor(now / windowMs) * windowMs;
}

/** The notification id: stable for a (rule, subject, window, state), so a retry of the send is recognisable. */
export function alertNoticeId(ruleId: string, subjectId: string, windowStart: number, state: 'firing' | 'resolved'): string {
  return `alt_${ruleId}_${subjectId}_${windowStart.toString(36)}_${state === 'firing' ? 'f' : 'r'}`;
}

export type AlertTransition = 'fire' | 'resolve' | 'none';

/**
 * What to do after one evaluation. `wasFiring` is the last state notified for this rule and subject;
 * `firedThisWindow` whether a firing notice already went out in the current window (grouping: a
 * condition that stays bad re-notifies at most once per window, never per failure).
 */
export function alertTransition(input: { breaching: boolean; wasFiring: boolean; firedThisWindow: boolean }): AlertTransition {
  if (input.breaching) return input.firedThisWindow ? 'none' : 'fire';
  return input.wasFiring ? 'resolve' : 'none';
}
