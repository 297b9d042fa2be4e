// Signed-timestamp parsing and the two-sided tolerance check shared by Standard Webhooks and Stripe.
//
// Two-sided on purpose: stripe-node and (until #657) stripe-php only rejected old timestamps, so a
// captured request signed with a future timestamp could be replayed for as long as the attacker
// chose when the sender's clock was ahead. `|now - ts| <= tolerance` is accepted (the edge included).

import { verifyFailure, type VerifyFailure } from './verify-result.js';

/** Unix seconds up to 11 digits (year 5138). A 13-digit value is milliseconds, a common mistake. */
const TIMESTAMP_PATTERN = /^[0-9]{1,11}$/;

/** Parse a decimal unix-seconds header value; anything else (signs, decimals, exponents) is refused. */
export function parseUnixSeconds(value: string): number | VerifyFailure {
  const trimmed = value.trim();
  if (!TIMESTAMP_PATTERN.test(trimmed)) {
    const hint = /^[0-9]{12,14}$/.test(trimmed) ? ' (it looks like milliseconds; send seconds)' : '';
    return verifyFailure('timestamp_invalid', `The signed timestamp is not unix seconds${hint}.`);
  }
  return Number(trimmed);
}

/** `now` is milliseconds since the epoch (Date.now() convention), or a Date. */
export function nowSeconds(now: number | Date | undefined): number {
  const ms = now === undefined ? Date.now() : typeof now === 'number' ? now : now.getTime();
  return Math.floor(ms / 1000);
}

export function checkTolerance(timestamp: number, now: number, toleranceSeconds: number): VerifyFailure | null {
  const skew = now - timestamp;
  if (Math.abs(skew) <= toleranceSeconds) return null;
  const direction = skew > 0 ? 'old' : 'far in the future';
  return verifyFailure(
    'timestamp_out_of_tolerance',
    `The signed timestamp is too ${direction} (tolerance ${toleranceSeconds} s); check for a replay or clock skew.`,
  );
}

/** Validate a caller-supplied tolerance once, so a NaN cannot silently disable the replay check. */
export function assertTolerance(toleranceSeconds: number): void {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError(`toleranceSeconds must be a finite number >= 0, got ${toleranceSeconds}`);
  }
}

/** Validate a timestamp given to a signer: integer unix seconds, not milliseconds. */
export function assertSigningTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > 99_999_999_999) {
    throw new RangeError(`timestamp must be integer unix seconds, got ${timestamp}`);
  }
}
