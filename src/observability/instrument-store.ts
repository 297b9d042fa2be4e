// Wraps a Store so that the delivery path's database work is measured and traced in one place,
// whichever adapter is underneath and whoever calls it (publisher, ingress, dispatcher, result
// writer): publish, record_inbound, claim and record_results get a `hookd.db.*` span and a duration;
// claims record their batch size; written events, fan-out, inbound verdicts are counted from what the
// store actually committed (a rolled-back batch counts nothing); the publish spans that
// tracing.startPublish() opened end here with their fan-out count.
//
// Every other method passes straight through.

import type { DisabledReason, Endpoint } from '../core/types.js';
import type { NewEvent, PublishResult, Store } from '../store/store.js';
import { eventOrigin, type DbOperation, type Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';

export function instrumentStore(store: Store, deps: { metrics: Metrics | null; tracing: Tracing; clock?: () => number }): Store {
  const { metrics, tracing } = deps;
  const clock = deps.clock ?? (() => performance.now());

  async function timed<T>(operation: DbOperation, attributes: Record<string, string | number>, run: () => Promise<T>, events: readonly NewEvent[] = []): Promise<T> {
    const started = clock();
    try {
      const value = await tracing.dbSpan(`hookd.db.${operation}`, { 'db.system.name': store.dialect, 'db.operation.name': operation, ...attributes }, run, tracing.linksFor(events));
      if (operation !== 'claim') metrics?.dbOperation(operation, clock() - started, true);
      return value;
    } catch (err) {
      metrics?.dbOperation(operation, clock() - started, false);
      throw err;
    }
  }

  const published = (event: NewEvent, result: PublishResult | null): void => {
    tracing.endPublish(event, result);
    if (result?.kind === 'created') {
      metrics?.eventsPublished(1, eventOrigin(event));
      metrics?.deliveriesCreated(result.deliveries);
    }
  };

  const overrides: Partial<Store> = {
    async publishEvents(events) {
      try {
        const results = await timed('publish', { 'hookd.batch.size': events.length }, () => store.publishEvents(events), events);
        events.forEach((event, i) => published(event, results[i] ?? null));
        return results;
      } catch (err) {
        for (const event of events) tracing.endPublish(event, null, err);
        throw err;
      }
    },
    async recordInbound(request, event) {
      try {
        const out = await timed('record_inbound', { 'hookd.source.id': request.sourceId }, () => store.recordInbound(request, event), event ? [event] : []);
        metrics?.inbound(out.request.verdict, out.request.code);
        if (event) published(event, out.publish);
        return out;
      } catch (err) {
        if (event) tracing.endPublish(event, null, err);
        throw err;
      }
    },
    async updateEndpoint(id, tenant, patch, announce) {
      let recovered: NewEvent | null = null;
      const reEnabled = announce?.reEnabled;
      const wrapped = reEnabled ? { ...announce, reEnabled: (before: Endpoint, after: Endpoint) => (recovered = reEnabled(before, after)) } : announce;
      const updated = await store.updateEndpoint(id, tenant, patch, wrapped);
      if (recovered !== null) {
        tracing.endPublish(recovered, null);
        metrics?.eventsPublished(1, eventOrigin(recovered));
      }
      return updated;
    },
    async claimDue(req) {
      const started = clock();
      const claims = await timed('claim', { 'hookd.claim.limit': req.limit }, () => store.claimDue(req));
      metrics?.claimBatch(clock() - started, claims.length);
      return claims;
    },
    async recordResults(input) {
      // On failure the writer keeps the group and retries with the same NewEvent objects, so only the
      // attempt that commits ends their publish spans. A disabling's announcement is made by the
      // store inside the transaction; it is caught here on its way in, and counted once committed.
      const announced = new Map<number, NewEvent>();
      const results = input.map((r, i) => {
        const announce = r.endpoint.announceDisabled;
        if (!announce) return r;
        const announceDisabled = (reason: DisabledReason): NewEvent => {
          const event = announce(reason);
          announced.set(i, event);
          return event;
        };
        return { ...r, endpoint: { ...r.endpoint, announceDisabled } };
      });
      const emits = results.flatMap((r) => r.emit);
      const outcomes = await timed('record_results', { 'hookd.batch.size': results.length }, () => store.recordResults(results), emits);
      for (const [i, event] of announced) {
        const disabled = outcomes[i]?.endpointDisabled != null;
        tracing.endPublish(event, null, disabled ? undefined : new Error('not written: the result did not disable the endpoint'));
        if (disabled) metrics?.eventsPublished(1, eventOrigin(event));
      }
      results.forEach((result, i) => {
        const applied = outcomes[i]?.applied === true;
        for (const event of result.emit) {
          // Operational events are written only with an applied result; the store does not report
          // their fan-out, so the span says only whether they were written.
          tracing.endPublish(event, null, applied ? undefined : new Error('not written: the attempt result was stale'));
          if (applied) metrics?.eventsPublished(1, eventOrigin(event));
        }
      });
      return outcomes;
    },
  };

  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
