// One HTTP exchange with a hookd server: the key, JSON in and out, problem+json as typed errors, and
// retries on 503. Uses the platform's fetch only, so the same file runs in Node and in the dashboard.
//
// Which 503s are retried: hookd answers 503 (`service_unavailable`) when the database could not be
// reached, and says when to come back in Retry-After. A connection lost during COMMIT is a 503 too,
// with the outcome unknown, so only requests that are safe to repeat are retried: GET, HEAD, PUT
// and DELETE, and a POST that carries an Idempotency-Key (the server answers a repeat with the first
// result). Network failures are not retried (the request may have been applied); 429 is not either
// (the caller chose the pace and should hear about it).

import { HookdNetworkError, HookdProblemError } from './errors.js';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface TransportOptions {
  /** The server, e.g. http://localhost:8080 (a trailing slash is fine). Empty: same origin (the dashboard). */
  baseUrl: string;
  /** An API key (`hk_...`); null sends no Authorization header. */
  apiKey?: string | null | (() => string | null);
  /** Retries after a 503; 0 turns them off. Default 3. */
  retries?: number;
  /** The longest wait between retries, whatever Retry-After says. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Another fetch (a test's, a proxy-aware one). */
  fetch?: typeof fetch;
  /** Waits between retries; replaceable so tests need not sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  headers?: Record<string, string>;
}

export interface CallOptions {
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const DEFAULT_RETRIES = 3;
const DEFAULT_MAX_DELAY_MS = 30_000;

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });
}

export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const search = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${search === '' ? '' : `?${search}`}`;
}

const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Whether sending the request again cannot make a second change (see the top of this file). */
export function safeToRepeat(method: string, headers: Record<string, string>): boolean {
  if (REPEATABLE.has(method.toUpperCase())) return true;
  return Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');
}

export class Transport {
  readonly baseUrl: string;
  private readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  private key(): string | null {
    const k = this.options.apiKey;
    return typeof k === 'function' ? k() : (k ?? null);
  }

  /** The answer as it came (any status), after the 503 retries. Network failures throw HookdNetworkError. */
  async send(method: string, path: string, call: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...call.headers };
    const key = this.key();
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    const url = buildUrl(this.baseUrl, path, call.query);
    const doFetch = this.options.fetch ?? fetch;
    const retries = this.options.retries ?? DEFAULT_RETRIES;
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, { method, headers, body, signal: call.signal ?? null });
      } catch (err) {
        // fetch rejects with a TypeError when no answer came (the Fetch standard's "network error");
        // anything else (an abort, an error of a fetch the caller supplied) is the caller's own.
        if (!(err instanceof TypeError)) throw err;
        throw new HookdNetworkError(this.baseUrl === '' ? path : this.baseUrl, err);
      }
      if (res.status !== 503 || attempt >= retries || !safeToRepeat(method, headers)) return res;
      const wait = Math.min(retryAfterMs(res.headers.get('retry-after')) ?? 1000 * 2 ** attempt, this.options.maxRetryDelayMs ?? DEFAULT_MAX_DELAY_MS);
      await res.body?.cancel().catch(() => undefined);
      await sleep(wait, call.signal);
    }
  }

  /** JSON in, JSON out; a non-2xx answer throws HookdProblemError. */
  async request<T>(method: string, path: string, call: CallOptions = {}): Promise<ApiAnswer<T>> {
    const res = await this.send(method, path, call);
    const text = await res.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) throw new HookdProblemError(res.status, parsed);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}
