// Which endpoints receive an event. Pure: used by every store inside its publish transaction.

import { filterMatches, filterReadsData, type EventFilter } from './event-filter.js';
import type { Endpoint } from './types.js';

/** Operational events hookd emits about itself. Only endpoints that name them receive them. */
export const OPERATIONAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'endpoint.disabled',
  'endpoint.recovered',
  'delivery.exhausted',
]);

export function endpointMatches(
  endpoint: Pick<Endpoint, 'enabled' | 'tenant' | 'eventTypes'>,
  event: { type: string; tenant: string | null },
): boolean {
  if (!endpoint.enabled) return false;
  // An event with a tenant goes to that tenant's endpoints only; one without, to endpoints without.
  if ((endpoint.tenant ?? null) !== (event.tenant ?? null)) return false;
  if (endpoint.eventTypes === null) return !OPERATIONAL_EVENT_TYPES.has(event.type);
  return endpoint.eventTypes.includes(event.type);
}

/**
 * The endpoint's content filter against an event (after endpointMatches). `payload` is the event's
 * data text; it is parsed only when a filter reads `data`, once per event (`parsed` caches it).
 */
export function contentFilterPasses(
  filter: EventFilter | null | undefined,
  event: { type: string; tenant: string | null; payload: string },
  parsed: { data?: unknown },
): boolean {
  if (filter === null || filter === undefined) return true;
  if (!('data' in parsed)) {
    if (filterReadsData(filter)) {
      try {
        parsed.data = JSON.parse(event.payload) as unknown;
      } catch {
        parsed.data = undefined;
      }
    }
  }
  return filterMatches(filter, { type: event.type, tenant: event.tenant, data: parsed.data });
}
