// The one result shape every verifier returns. Verification failures are data, not exceptions:
// callers map them to 401 without a try/catch that could also swallow real bugs.

export type VerifyFailureCode =
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_invalid'
  | 'timestamp_out_of_tolerance';

export interface VerifyFailure {
  ok: false;
  code: VerifyFailureCode;
  /** Safe to show to the caller: names what is wrong, never the expected signature or the secret. */
  message: string;
}

/** Success for schemes without a signed timestamp (GitHub, Shopify, generic HMAC). */
export interface VerifySuccess {
  ok: true;
}

/** Success for schemes that sign a timestamp (Stripe); `timestamp` is unix seconds. */
export interface TimestampedVerifySuccess {
  ok: true;
  timestamp: number;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

export function verifyFailure(code: VerifyFailureCode, message: string): VerifyFailure {
  return { ok: false, code, message };
}

/** Default replay window, both directions (spec section 7: +-5 min). */
export const DEFAULT_TOLERANCE_SECONDS = 300;
