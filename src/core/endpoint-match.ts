// Which endpoints receive an event. Pure: used by every store inside its publish transaction.

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
