// The one error type callers of a Store see for "the database cannot be reached right now". Each
// adapter knows its driver's codes (SQLSTATEs, socket errors, SQLITE_BUSY) and translates them here,
// so the API answers 503 without knowing which driver is behind the contract.

import type { Store } from './store.js';

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The store with every method's failure classified: an error `isUnavailable` recognises (anywhere
 * in its cause chain) becomes a StoreUnavailableError with the driver's error as `cause`; any other
 * error passes unchanged.
 */
export function classifyStoreErrors<S extends Store>(store: S, dialect: string, isUnavailable: (err: unknown) => boolean): S {
  const classify = (err: unknown): unknown => {
    if (err instanceof StoreUnavailableError) return err;
    for (let e: unknown = err, i = 0; i < 5 && e; i++, e = (e as { cause?: unknown }).cause) {
      if (isUnavailable(e)) return new StoreUnavailableError(`${dialect} is unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return err;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        let out: unknown;
        try {
          out = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw classify(err);
        }
        return out instanceof Promise
          ? out.catch((err: unknown) => {
              throw classify(err);
            })
          : out;
      };
    },
  });
}
