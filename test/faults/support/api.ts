// A tiny admin client for the fault tests (fetch with a timeout), and bounded polling.

import { ADMIN_KEY } from './hookd-process.js';

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

export async function api(base: string, method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<ApiAnswer> {
  const started = Date.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers, ms: Date.now() - started };
}

/**
 * Retries one second apart: on a loaded CI machine an attempt may time out, and the default schedule
 * would then wait 5 s and 5 min, far beyond any test's bound. Tests that need another schedule pass one.
 */
export const FAST_RETRIES = [0, ...Array.from({ length: 29 }, () => 1)];

export async function createEndpoint(base: string, url: string, over: Record<string, unknown> = {}): Promise<string> {
  const res = await api(base, 'POST', '/v1/endpoints', { url, timeoutMs: 2000, maxConcurrency: 50, retrySchedule: FAST_RETRIES, ...over });
  if (res.status !== 201 && res.status !== 200) throw new Error(`create endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Publish `count` events of `type` in batches of up to 1,000; returns their ids in order. */
export async function publishMany(base: string, type: string, count: number, offset = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const n = Math.min(1000, count - start);
    const events = Array.from({ length: n }, (_, i) => ({ type, data: { n: offset + start + i, text: 'caf\u00e9 \u{1F600}', pad: 'x'.repeat(64) } }));
    const res = await api(base, 'POST', '/v1/events/batch', { events }, 30_000);
    if (res.status !== 202) throw new Error(`publish batch: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...(res.body.data as Array<{ id: string }>).map((d) => d.id));
  }
  return ids;
}

/** Count deliveries with this status (pages through the API; bounded). */
export async function countDeliveries(base: string, status: string): Promise<number> {
  let total = 0;
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const qs: string = `status=${status}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await api(base, 'GET', `/v1/deliveries?${qs}`);
    if (res.status !== 200) throw new Error(`list deliveries: ${res.status}`);
    total += (res.body.data as unknown[]).length;
    cursor = res.body.nextCursor as string | null;
    if (!cursor) return total;
  }
  throw new Error('too many pages');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll until `fn` returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs: number, stepMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}
