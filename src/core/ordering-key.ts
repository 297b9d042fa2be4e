// The ordering key of an event (docs/routing.md, "Ordering"): opaque text naming the sequence an
// event belongs to (a chat, an order, a customer). It is compared byte for byte and stored in an
// index, so it is short, and it is shown in logs and the dashboard, so it holds no control characters.

import { HookdError } from './errors.js';

export const ORDERING_KEY_MAX_LENGTH = 256;

// C0 controls (NUL included), DEL and C1 controls; and lone surrogates, which are not text.
// Control characters are what this pattern is about.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `key` is not a valid ordering key, or null. */
export function orderingKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string') return 'must be a string';
  if (key.length === 0) return 'must not be empty';
  if (key.length > ORDERING_KEY_MAX_LENGTH) return `must be at most ${ORDERING_KEY_MAX_LENGTH} characters`;
  if (CONTROL.test(key) || LONE_SURROGATE.test(key)) return 'must not contain control characters or lone surrogates';
  return null;
}

/** null/undefined pass (no key); anything else must be a valid key, or 400 validation_failed at `path`. */
export function checkOrderingKey(key: unknown, path: string): string | null {
  if (key === undefined || key === null) return null;
  const problem = orderingKeyProblem(key);
  if (problem !== null) {
    throw new HookdError('validation_failed', `The ordering key ${problem}.`, { errors: [{ path, message: problem }] });
  }
  return key as string;
}
