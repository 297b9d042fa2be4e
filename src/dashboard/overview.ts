// The numbers behind the dashboard's Overview page, computed in one request so the browser does not
// page through thousands of deliveries: deliveries over time by status, success rate, latency
// percentiles, queue depth and endpoints ranked by failures, all within the caller's tenant.

import { bucketSecondsFor } from '../core/time-buckets.js';
import type { Delivery, Endpoint } from '../core/types.js';
import type { Store, TenantFilter } from '../store/store.js';

/** Deliveries read per overview; past this the chart says it is truncated rather than slowing down. */
export const MAX_DELIVERIES_SCANNED = 20_000;
const MAX_ENDPOINTS = 1000;
/** Latency percentiles come from the newest attempts of the busiest endpoints. */
const LATENCY_ENDPOINTS = 50;
const LATENCY_ATTEMPTS_PER_ENDPOINT = 200;

export interface OverviewBucket {
  start: string;
  succeeded: number;
  failed: number;
  pending: number;
  cancelled: number;
}

export interface Overview {
  since: string;
  until: string;
  bucketSeconds: number;
  buckets: OverviewBucket[];
  totals: { deliveries: number; succeeded: number; failed: number; pending: number; cancelled: number };
  truncated: boolean;
  successRate: number | null;
  latency: { p50: number | null; p95: number | null; sampled: number };
  queue: { pending: number; due: number; oldestDueAt: string | null };
  endpoints: Array<{ id: string; url: string; description: string | null; enabled: boolean; disabledReason: string | null; succeeded: number; failed: number; successRate: number | null; p50: number | null; p95: number | null }>;
  /** Current failures grouped by endpoint and attempt code, most deliveries first. */
  issues: OverviewIssue[];
}

export interface OverviewIssue {
  endpointId: string;
  url: string | null;
  description: string | null;
  enabled: boolean | null;
  /** The attempt code of the deliveries' last attempt (docs/errors.md). */
  code: string;
  /** The HTTP status of the newest of them, when the endpoint answered. */
  lastStatus: number | null;
  /** Deliveries whose last attempt failed with this code: still retrying, or given up. */
  deliveries: number;
  retrying: number;
  exhausted: number;
  latestAt: string;
}

/** Issues listed at most: the groups with the most deliveries. */
export const MAX_ISSUES = 20;

/**
 * A delivery is a current failure when it gave up (failed), or is still retrying after a failed
 * attempt (pending or sending with a last code). Grouped by endpoint and code, so a CRM answering
 * 401 to 300 deliveries is one line, next to its doctor.
 */
export function groupIssues(deliveries: readonly Delivery[], endpoints: ReadonlyMap<string, Pick<Endpoint, 'url' | 'description' | 'enabled'>>): OverviewIssue[] {
  const groups = new Map<string, OverviewIssue & { latestMs: number }>();
  for (const d of deliveries) {
    const retrying = (d.status === 'pending' || d.status === 'sending') && d.lastCode !== null && d.lastCode !== 'ok';
    if (d.status !== 'failed' && !retrying) continue;
    const code = d.lastCode ?? 'unknown';
    const key = `${d.endpointId} ${code}`;
    let g = groups.get(key);
    if (!g) {
      const e = endpoints.get(d.endpointId);
      g = { endpointId: d.endpointId, url: e?.url ?? null, description: e?.description ?? null, enabled: e?.enabled ?? null, code, lastStatus: null, deliveries: 0, retrying: 0, exhausted: 0, latestAt: '', latestMs: -1 };
      groups.set(key, g);
    }
    g.deliveries += 1;
    if (retrying) g.retrying += 1;
    else g.exhausted += 1;
    if (d.updatedAt > g.latestMs) {
      g.latestMs = d.updatedAt;
      g.lastStatus = d.lastStatus;
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.deliveries - a.deliveries || b.latestMs - a.latestMs)
    .slice(0, MAX_ISSUES)
    .map(({ latestMs, ...rest }) => ({ ...rest, latestAt: new Date(latestMs).toISOString() }));
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A bucket width giving 24 to 48 bars for common windows. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function listAll<T>(read: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>, cap: number): Promise<{ rows: T[]; truncated: boolean }> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await read(cursor);
    rows.push(...page.data);
    if (!page.nextCursor) return { rows, truncated: false };
    if (rows.length >= cap) return { rows, truncated: true };
    cursor = page.nextCursor;
  }
}

export async function computeOverview(store: Store, tenant: TenantFilter, hours: number, now: number): Promise<Overview> {
  const until = now + 1;
  const since = now - hours * 3_600_000;
  const bucketSeconds = bucketSecondsFor(hours);
  const bucketMs = bucketSeconds * 1000;
  const first = Math.floor(since / bucketMs) * bucketMs;
  const count = Math.ceil((until - first) / bucketMs);
  const buckets: OverviewBucket[] = Array.from({ length: count }, (_, i) => ({ start: new Date(first + i * bucketMs).toISOString(), succeeded: 0, failed: 0, pending: 0, cancelled: 0 }));

  const { rows: deliveries, truncated } = await listAll<Delivery>((cursor) => store.listDeliveries({ tenant, since, until }, { limit: 250, cursor }), MAX_DELIVERIES_SCANNED);
  const totals = { deliveries: deliveries.length, succeeded: 0, failed: 0, pending: 0, cancelled: 0 };
  for (const d of deliveries) {
    const bucket = buckets[Math.floor((d.createdAt - first) / bucketMs)];
    const key = d.status === 'sending' ? 'pending' : d.status;
    totals[key] += 1;
    if (bucket) bucket[key] += 1;
  }

  const { rows: endpoints } = await listAll<Endpoint>((cursor) => store.listEndpoints(tenant, { limit: 250, cursor }), MAX_ENDPOINTS);
  const ranked = [];
  for (const e of endpoints) {
    const s = await store.endpointStats(e.id, since, until);
    const total = s.succeeded + s.failed;
    ranked.push({ id: e.id, url: e.url, description: e.description, enabled: e.enabled, disabledReason: e.disabledReason, succeeded: s.succeeded, failed: s.failed, successRate: total === 0 ? null : s.succeeded / total, p50: s.p50, p95: s.p95, attempts: s.attempts });
  }
  ranked.sort((a, b) => b.failed - a.failed || (a.successRate ?? 1) - (b.successRate ?? 1) || b.attempts - a.attempts);

  const durations: number[] = [];
  const busiest = [...ranked].sort((a, b) => b.attempts - a.attempts).filter((e) => e.attempts > 0).slice(0, LATENCY_ENDPOINTS);
  for (const e of busiest) {
    for (const a of await store.listRecentAttempts(e.id, LATENCY_ATTEMPTS_PER_ENDPOINT)) if (a.createdAt >= since) durations.push(a.durationMs);
  }
  durations.sort((a, b) => a - b);

  // The store's queue depth is global; a tenant sees its own pending deliveries, counted here.
  let queue: Overview['queue'];
  if (tenant === undefined) {
    const q = await store.queueDepth(now);
    queue = { pending: q.pending, due: q.due, oldestDueAt: iso(q.oldestDueAt) };
  } else {
    const { rows: pending } = await listAll<Delivery>((cursor) => store.listDeliveries({ tenant, status: 'pending' }, { limit: 250, cursor }), MAX_DELIVERIES_SCANNED);
    const dueTimes = pending.map((d) => d.nextAttemptAt).filter((t): t is number => t !== null && t <= now);
    queue = { pending: pending.length, due: dueTimes.length, oldestDueAt: iso(dueTimes.length ? Math.min(...dueTimes) : null) };
  }

  const decided = totals.succeeded + totals.failed;
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    bucketSeconds,
    buckets,
    totals,
    truncated,
    successRate: decided === 0 ? null : totals.succeeded / decided,
    latency: { p50: percentile(durations, 50), p95: percentile(durations, 95), sampled: durations.length },
    queue,
    endpoints: ranked.map(({ attempts: _attempts, ...rest }) => rest),
    issues: groupIssues(deliveries, new Map(endpoints.map((e) => [e.id, e]))),
  };
}
