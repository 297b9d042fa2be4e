// Newest-first event listing for the dashboard's Events page. The pull feed (GET /v1/events) is
// oldest-first by design (consumers resume from a cursor); a person looking at a log wants the latest
// first. The store only reads forwards by seq, so this scans backwards in growing seq windows, keeping
// the newest matches, and attaches each event's delivery summary (which the status filter uses).

import { isOperationalType, matchesTypeFilter, singleExactType, type TypeFilter } from '../core/event-type-filter.js';
import type { DeliveryStatus, EventRecord } from '../core/types.js';
import type { Store, TenantFilter } from '../store/store.js';

export interface RecentEventsQuery {
  tenant: TenantFilter;
  /** Types, prefixes and exclusions (see core/event-type-filter). */
  types?: TypeFilter | undefined;
  /** Leave out hookd's operational events (endpoint.disabled, delivery.exhausted, ...). */
  hideOperational?: boolean | undefined;
  /** Only events with at least one delivery in this status ('none': events without deliveries). */
  status?: DeliveryStatus | 'none' | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Event search (the store's FeedQuery fields): data containment, one id, one idempotency key. */
  match?: string | undefined;
  id?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Only events with seq below this (the `before` of the previous page). */
  beforeSeq?: number | undefined;
  limit: number;
}

export interface RecentEvent {
  event: EventRecord;
  deliveries: Record<DeliveryStatus, number> & { total: number };
}

/** How far back one request scans (in seq numbers) before it returns what it found and a cursor. */
export const MAX_SCAN_SPAN = 50_000;
const READ_BATCH = 500;

async function summarise(store: Store, tenant: TenantFilter, event: EventRecord): Promise<RecentEvent['deliveries']> {
  const counts = { pending: 0, sending: 0, succeeded: 0, failed: 0, cancelled: 0, total: 0 };
  let cursor: string | undefined;
  // An event fans out to at most the tenant's endpoints; a few pages at most.
  for (let page = 0; page < 8; page++) {
    const res = await store.listDeliveries({ tenant, eventId: event.id }, { limit: 250, cursor });
    for (const d of res.data) {
      counts[d.status] += 1;
      counts.total += 1;
    }
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return counts;
}

export async function listRecentEvents(store: Store, q: RecentEventsQuery): Promise<{ data: RecentEvent[]; beforeSeq: number | null; headSeq: number }> {
  const headSeq = await store.lastEventSeq();
  let upper = Math.min(q.beforeSeq ?? headSeq + 1, headSeq + 1); // exclusive
  // An id or idempotency key names at most a few events, found by index wherever they are: no span limit.
  const pinpoint = q.id !== undefined || q.idempotencyKey !== undefined;
  const floor = pinpoint ? 0 : Math.max(0, upper - 1 - MAX_SCAN_SPAN);
  const found: RecentEvent[] = [];
  let span = pinpoint ? upper : Math.max(q.limit * 4, 200);
  let reachedTime = false;
  // One exact type narrows in the store; prefixes and exclusions are applied to what it reads.
  const storeType = q.types ? singleExactType(q.types) : undefined;
  const wanted = (e: EventRecord): boolean => !(q.hideOperational && isOperationalType(e.type)) && (!q.types || matchesTypeFilter(q.types, e.type));
  while (found.length < q.limit && upper - 1 > floor && !reachedTime) {
    const lower = Math.max(floor, upper - 1 - span); // exclusive lower bound (afterSeq)
    // Read (lower, upper) forwards, then walk it newest first.
    const window: EventRecord[] = [];
    let after = lower;
    for (;;) {
      const rows = await store.listEventsFeed({ afterSeq: after, type: storeType, tenant: q.tenant, match: q.match, id: q.id, idempotencyKey: q.idempotencyKey, limit: READ_BATCH });
      const inside = rows.filter((r) => r.seq < upper);
      window.push(...inside);
      if (rows.length < READ_BATCH || inside.length < rows.length) break;
      after = rows[rows.length - 1]!.seq;
    }
    for (const event of window.reverse()) {
      if (q.until !== undefined && event.createdAt >= q.until) continue;
      if (q.since !== undefined && event.createdAt < q.since) {
        reachedTime = true;
        break;
      }
      if (!wanted(event)) continue;
      const deliveries = await summarise(store, q.tenant, event);
      if (q.status === 'none' ? deliveries.total > 0 : q.status !== undefined && deliveries[q.status] === 0) continue;
      found.push({ event, deliveries });
      if (found.length >= q.limit) break;
    }
    const last = found[found.length - 1];
    upper = found.length >= q.limit && last ? last.event.seq : lower + 1;
    span *= 4;
  }
  const more = !reachedTime && upper - 1 > 0;
  return { data: found, beforeSeq: more ? upper : null, headSeq };
}
