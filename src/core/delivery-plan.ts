// What happens to a delivery and its endpoint after one attempt. Pure: the dispatcher supplies the
// classification, the clock and the random source; the store applies the result under the lease
// token, so the plan of a stale worker is simply rejected.

import type { Classification } from './classify-response.js';
import { DEFAULT_RETRY_SCHEDULE, nominalDelayMs, scheduledDelayMs } from './retry-policy.js';
import type { Delivery, Endpoint } from './types.js';

export interface PlanInput {
  delivery: Pick<Delivery, 'runAttempts'> & Partial<Pick<Delivery, 'runLimit'>>;
  endpoint: Pick<Endpoint, 'retrySchedule'>;
  classification: Classification;
  responseStatus: number | null;
  /** Parsed Retry-After in ms, if the response carried one. */
  retryAfterMs: number | null;
  now: number;
  random: () => number;
  /** An endpoint failing without a break for this long is disabled (reason 'failing'). */
  failingPeriodMs: number;
}

export interface Plan {
  status: 'succeeded' | 'pending' | 'failed';
  nextAttemptAt: number | null;
  /** The schedule ran out (or the failure is final): emit delivery.exhausted. */
  exhausted: boolean;
  health: 'success' | 'failure';
  disableGone: boolean;
  disableIfFailingSince: number | undefined;
  /**
   * The receiver throttled us with Retry-After: hold back every attempt to this endpoint (not just
   * this delivery) until then, in every process. Capped at MAX_ENDPOINT_PAUSE_MS so a hostile header
   * cannot silence an endpoint for long; the delivery's own delay has its own cap below.
   */
  pauseUntil?: number | undefined;
}

export const MAX_ENDPOINT_PAUSE_MS = 60_000;

export function planAfterAttempt(input: PlanInput): Plan {
  const { classification, now } = input;
  const schedule = input.endpoint.retrySchedule ?? DEFAULT_RETRY_SCHEDULE;
  if (classification.outcome === 'success') {
    return { status: 'succeeded', nextAttemptAt: null, exhausted: false, health: 'success', disableGone: false, disableIfFailingSince: undefined };
  }
  const failure = { health: 'failure' as const, disableIfFailingSince: now - input.failingPeriodMs };
  if (classification.outcome === 'disable_endpoint') {
    // 410: the receiver asked us to stop. This delivery ends now; the store cancels the rest.
    return { status: 'failed', nextAttemptAt: null, exhausted: true, disableGone: true, ...failure };
  }
  if (classification.outcome === 'fail') {
    return { status: 'failed', nextAttemptAt: null, exhausted: true, disableGone: false, ...failure };
  }
  // The attempt just made was number runAttempts + 1 of this run; the next one is + 2.
  const nextNumber = input.delivery.runAttempts + 2;
  // A run with a limit (a plain manual retry: one attempt) ends at the limit, schedule or not.
  const limit = input.delivery.runLimit ?? null;
  if (limit !== null && nextNumber > limit) {
    return { status: 'failed', nextAttemptAt: null, exhausted: true, disableGone: false, ...failure };
  }
  const scheduled = scheduledDelayMs(schedule, nextNumber, input.random);
  if (scheduled === null) {
    return { status: 'failed', nextAttemptAt: null, exhausted: true, disableGone: false, ...failure };
  }
  let delay = scheduled;
  if (classification.outcome === 'throttle' && input.retryAfterMs !== null) {
    // Honour Retry-After, capped at twice the next scheduled interval so a hostile value cannot
    // park a delivery for a year.
    const cap = 2 * (nominalDelayMs(schedule, nextNumber) ?? 0);
    delay = Math.min(input.retryAfterMs, Math.max(cap, 1000));
    const pauseUntil = now + Math.min(input.retryAfterMs, MAX_ENDPOINT_PAUSE_MS);
    return { status: 'pending', nextAttemptAt: now + delay, exhausted: false, disableGone: false, ...failure, pauseUntil };
  }
  return { status: 'pending', nextAttemptAt: now + delay, exhausted: false, disableGone: false, ...failure };
}
