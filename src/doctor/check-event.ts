// The `event` step (endpoints only): before blaming the network, was anything sent at all? It reads
// the store: is the endpoint enabled, were events of its subscribed types published in the window,
// for its tenant, and did they create deliveries for it.

import { OPERATIONAL_EVENT_TYPES } from '../core/endpoint-match.js';
import type { DisabledReason, Endpoint } from '../core/types.js';
import type { Store } from '../store/store.js';
import { found, passed, type StepResult } from './report.js';

const DELIVERY_SCAN_LIMIT = 250;

const tenantName = (tenant: string | null): string => (tenant === null ? 'no tenant' : `tenant "${tenant}"`);

function disabledExplanation(reason: DisabledReason | null, failingSince: number | null): { message: string; fix: string } {
  switch (reason) {
    case 'gone':
      return {
        message: 'The endpoint is disabled: the receiver answered 410 Gone, which asks hookd to stop sending.',
        fix: 'If the receiver should get webhooks again, fix it to answer 2xx, re-enable the endpoint (PATCH enabled: true) and recover the cancelled deliveries.',
      };
    case 'failing':
      return {
        message: `The endpoint is disabled: every delivery kept failing${failingSince === null ? '' : ` since ${new Date(failingSince).toISOString()}`}, for longer than the failing period.`,
        fix: 'Fix the fault the logs step names, then re-enable the endpoint (PATCH enabled: true) and recover the failed deliveries.',
      };
    case 'manual':
      return {
        message: 'The endpoint is disabled: it was switched off by hand (enabled: false).',
        fix: 'Re-enable the endpoint (PATCH enabled: true) when the receiver is ready.',
      };
    default:
      return { message: 'The endpoint is disabled.', fix: 'Re-enable the endpoint (PATCH enabled: true).' };
  }
}

/** Events of the endpoint's types per tenant; "all types" excludes operational events, as fan-out does. */
async function countMatching(store: Store, endpoint: Endpoint, since: number): Promise<Map<string | null, number>> {
  const counts = new Map<string | null, number>();
  for (const row of await store.countEventsByTenant(endpoint.eventTypes, since)) counts.set(row.tenant, row.count);
  if (endpoint.eventTypes === null) {
    for (const row of await store.countEventsByTenant([...OPERATIONAL_EVENT_TYPES], since)) {
      counts.set(row.tenant, (counts.get(row.tenant) ?? 0) - row.count);
    }
  }
  return counts;
}

/**
 * `seesOtherTenants`: only an admin may learn that other tenants exist and what they publish; for a
 * tenant caller the step looks at its own tenant alone (names and counts of others never appear).
 */
export async function checkEvent(store: Store, endpoint: Endpoint, now: number, windowMs: number, seesOtherTenants: boolean): Promise<StepResult> {
  const since = now - windowMs;
  const hours = Math.round(windowMs / 3_600_000);
  const window = hours >= 1 ? `the last ${hours} h` : `the last ${Math.round(windowMs / 60_000)} min`;
  const types = endpoint.eventTypes === null ? 'any type' : endpoint.eventTypes.join(', ');
  const matching = await countMatching(store, endpoint, since);
  const own = matching.get(endpoint.tenant) ?? 0;
  const elsewhere = seesOtherTenants ? [...matching].filter(([tenant, n]) => tenant !== endpoint.tenant && n > 0) : [];
  const page = await store.listDeliveries({ tenant: undefined, endpointId: endpoint.id, since }, { limit: DELIVERY_SCAN_LIMIT });
  const deliveries = page.data.length;
  const detail = {
    endpointId: endpoint.id,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    tenant: endpoint.tenant,
    eventTypes: endpoint.eventTypes,
    since: new Date(since).toISOString(),
    matchingEvents: own,
    ...(seesOtherTenants ? { matchingEventsOtherTenants: Object.fromEntries(elsewhere.map(([t, n]) => [t ?? '(none)', n])) } : {}),
    deliveries,
    deliveriesCapped: page.nextCursor !== null,
  };

  if (!endpoint.enabled) {
    const { message, fix } = disabledExplanation(endpoint.disabledReason, endpoint.failingSince);
    return found('event', 'fail', 'endpoint_disabled', message, detail, fix);
  }
  if (deliveries > 0) {
    const more = page.nextCursor !== null ? '+' : '';
    return passed('event', `${own} event(s) of ${types} were published for ${tenantName(endpoint.tenant)} in ${window}; ${deliveries}${more} deliveries were created for this endpoint.`, detail);
  }
  if (own > 0) {
    return found('event', 'warn', 'events_filtered', `${own} event(s) of ${types} were published for ${tenantName(endpoint.tenant)} in ${window}, but none created a delivery for this endpoint: it was created, subscribed or re-enabled after them.`, detail, 'Publish a new event (or send a test with POST /v1/endpoints/{id}/test); events published before the endpoint matched are not delivered to it.');
  }
  if (elsewhere.length > 0) {
    const total = elsewhere.reduce((sum, [, n]) => sum + n, 0);
    const names = elsewhere.map(([t]) => tenantName(t)).join(', ');
    return found('event', 'fail', 'events_filtered', `${total} event(s) of ${types} were published in ${window}, but for ${names}; this endpoint belongs to ${tenantName(endpoint.tenant)}, so they are not delivered to it.`, detail, "Publish the events with this endpoint's tenant, or set the endpoint's tenant to the one the events carry.");
  }
  if (endpoint.eventTypes !== null) {
    const any = (await store.countEventsByTenant(null, since)).find((r) => r.tenant === endpoint.tenant)?.count ?? 0;
    if (any > 0) {
      return found('event', 'fail', 'events_filtered', `${any} event(s) were published for ${tenantName(endpoint.tenant)} in ${window}, but none of the types this endpoint subscribes to (${types}).`, { ...detail, otherTypeEvents: any }, "Add the published event types to the endpoint's eventTypes, or check the type names the sender uses.");
    }
  }
  return found('event', 'fail', 'no_events', `No event of ${types} was published for ${tenantName(endpoint.tenant)} in ${window}: nothing was sent because nothing happened.`, detail);
}
