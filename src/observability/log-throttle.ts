// One log line per interval for a repeating condition. During a database outage every API request
// answers 503; a warn line per request would flood the log exactly when an operator reads it. The
// first occurrence is logged at once, later ones are counted and reported with the next line.

export interface LogThrottle {
  /** Calls `log` with how many occurrences were held back since the last line, or does nothing. */
  hit(log: (suppressed: number) => void): void;
}

export function createLogThrottle(intervalMs: number, now: () => number = Date.now): LogThrottle {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return {
    hit(log) {
      const t = now();
      if (t - last < intervalMs) {
        suppressed += 1;
        return;
      }
      last = t;
      const held = suppressed;
      suppressed = 0;
      log(held);
    },
  };
}
