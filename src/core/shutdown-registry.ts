// What must end when the server stops, besides the HTTP server itself: open SSE streams and pending
// long-polls. Node's server.close() waits for every request in progress, and these never end on
// their own (a stream) or only after their wait (a long-poll, up to 30 s), so they held SIGTERM past
// its grace (issue 23). Routes register an `end` callback here; shutdown calls them all, once, before
// closing the server, so each client gets a clean ending it understands (the SSE `shutdown` event,
// the feed's normal empty page) instead of a reset.

export interface ShutdownRegistry {
  /** True once close() was called: new streams and long-polls should end at once. */
  readonly closing: boolean;
  /**
   * Run `end` when the server starts closing (on the next microtask if it already is). Returns the unregister
   * function, to call when the connection ends on its own.
   */
  onClose(end: () => void): () => void;
  /** Start closing: every registered `end` runs once, in registration order. */
  close(): void;
  /** How many are registered (tests, logs). */
  size(): number;
}

export function createShutdownRegistry(onError: (err: unknown) => void = () => undefined): ShutdownRegistry {
  const ends = new Set<() => void>();
  let closing = false;
  const run = (end: () => void): void => {
    try {
      end();
    } catch (err) {
      // One broken connection must not keep the others open.
      onError(err);
    }
  };
  return {
    get closing() {
      return closing;
    },
    onClose(end) {
      if (closing) {
        // On the next microtask, not inside this call: the caller may not hold the unregister
        // function yet when `end` runs.
        queueMicrotask(() => run(end));
        return () => undefined;
      }
      // A wrapper per registration, so the same function registered twice is two entries.
      const entry = (): void => end();
      ends.add(entry);
      return () => {
        ends.delete(entry);
      };
    },
    close() {
      if (closing) return;
      closing = true;
      const all = [...ends];
      ends.clear();
      for (const end of all) run(end);
    },
    size: () => ends.size,
  };
}
