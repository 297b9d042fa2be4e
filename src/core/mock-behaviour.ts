// What a mock endpoint (`hookd mock`) answers to each request: a status, a delay, headers. Pure, with
// the random source injected, so tests decide the dice and the CLI server stays a thin shell.

export interface MockBehaviour {
  /** Status when the request does not "fail" (default 200). */
  status: number;
  /** Share of requests that fail, 0..1. */
  failRate: number;
  /** Status of a failing request (default 500). */
  failStatus: number;
  /** Delay before answering, ms: a fixed value or a uniform range. */
  latency: { min: number; max: number };
  /** Retry-After seconds sent with 429/503 (and any failure when set). */
  retryAfter: number | null;
  /** The first n requests fail whatever the dice say: a deterministic "down, then back". */
  failFirst: number;
  /** Answer 410 Gone after this many requests (null: never). hookd disables an endpoint on 410. */
  goneAfter: number | null;
}

export interface MockAnswer {
  status: number;
  delayMs: number;
  headers: Record<string, string>;
  failed: boolean;
}

export const DEFAULT_MOCK: MockBehaviour = { status: 200, failRate: 0, failStatus: 500, latency: { min: 0, max: 0 }, retryAfter: null, failFirst: 0, goneAfter: null };

/** "200", "200..3000" (ms). Bounded to 10 minutes so a typo cannot park a request forever. */
export function parseLatency(text: string): { min: number; max: number } {
  const m = /^(\d{1,6})(?:\.\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`latency "${text}" must be milliseconds, or a range such as 200..3000`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) throw new RangeError(`latency range ${text} ends before it starts`);
  if (max > 600_000) throw new RangeError('latency is at most 600000 ms');
  return { min, max };
}

export function parseFailRate(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new RangeError(`fail rate "${text}" must be a number from 0 to 1`);
  return n;
}

export function parseStatus(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 200 || n > 599) throw new RangeError(`status "${text}" must be an HTTP status from 200 to 599`);
  return n;
}

/** The answer to the `count`th request (1-based); `random` returns [0, 1). */
export function decideAnswer(b: MockBehaviour, count: number, random: () => number = Math.random): MockAnswer {
  const delayMs = b.latency.min + Math.floor(random() * (b.latency.max - b.latency.min + 1));
  if (b.goneAfter !== null && count > b.goneAfter) return { status: 410, delayMs, headers: {}, failed: true };
  const failed = count <= b.failFirst || (b.failRate > 0 && random() < b.failRate);
  const status = failed ? b.failStatus : b.status;
  const headers: Record<string, string> = {};
  if (b.retryAfter !== null && (failed || status === 429 || status === 503)) headers['retry-after'] = String(b.retryAfter);
  return { status, delayMs: Math.min(delayMs, b.latency.max), headers, failed: failed || status >= 400 };
}
