// Publishing: validate against the catalogue, then hand the event to the store, which writes it and
// its deliveries in one transaction. Concurrent publishes are grouped into one store call (one
// transaction, one commit): with SQLite the commit is the expensive part, and grouping turns
// thousands of commits into tens.
//
// Group commit runs one store call at a time. While a group's transaction is in flight, new publishes
// queue up and go out together as the next group the moment it commits. Running groups concurrently
// gains nothing, because publish transactions serialise on the store's seq lock anyway (PostgreSQL:
// see store/postgres/publish.ts), and it cost a great deal: at 1,000 single publishes/s on PostgreSQL
// every tick opened its own small transaction, they queued on the lock while holding pooled
// connections, and claims and catalogue reads waited for the pool behind them (p50 over 3 s). With one
// group in flight, a caller waits at most for the group ahead of it plus its own.

import { outsideAuditScope } from '../core/audit.js';
import { checkOrderingKey } from '../core/ordering-key.js';
import { createHash } from 'node:crypto';
import { HookdError, type FieldError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { SchemaChecker } from '../core/payload-check.js';
import type { EventRecord } from '../core/types.js';
import type { InboundRecordResult, NewEvent, PublishResult, Store } from '../store/store.js';
import type { InboundRequest } from '../core/inbound-types.js';
import type { EventBus } from '../core/event-bus.js';
import { createEventTypeCache, type EventTypeCacheOptions } from './event-type-cache.js';
import { writeIsolated } from './isolate-failures.js';

export const EVENT_TYPE_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;

export interface PublishInput {
  type: string;
  /** Parsed data, used for schema checks. */
  data: unknown;
  /** Exact JSON text of data; defaults to JSON.stringify(data). */
  payload?: string | undefined;
  tenant: string | null;
  idempotencyKey: string | null;
  rawBody?: Buffer | null | undefined;
  sourceId?: string | null | undefined;
  onlyEndpointId?: string | undefined;
  /** Deliveries become due only after this (NewEvent.holdMs): the endpoint test claims its own. */
  holdMs?: number | undefined;
  /** Ordered delivery per key (NewEvent.orderingKey); checked by validate(). */
  orderingKey?: string | null | undefined;
}

export interface Publisher {
  /** Throws HookdError (unknown_event_type / schema_mismatch) when the event may not be published. */
  validate(input: PublishInput, pathPrefix?: string): Promise<void>;
  /** Build the store record (ids, hash) for an input that passed validate(). */
  prepare(input: PublishInput): NewEvent;
  /** Validate and publish one event (group commit with concurrent callers). */
  publish(input: PublishInput): Promise<PublishResult>;
  /**
   * Validate every item (errors by `/body/events/{i}/...`, all of them, nothing written if any), then
   * publish them in one transaction and tell listeners.
   */
  publishBatch(inputs: PublishInput[], pathPrefix: (index: number) => string): Promise<PublishResult[]>;
  /**
   * An inbound request's event (validated by the caller, which logs a rejection itself): the log row,
   * the dedupe decision and the event commit together; listeners hear of a created event.
   */
  publishInbound(request: InboundRequest, input: PublishInput): Promise<InboundRecordResult>;
  /** Publish prepared events in one transaction (all or nothing). */
  publishMany(events: NewEvent[]): Promise<PublishResult[]>;
  /** Tell listeners about events the store accepted by another path (ingress, emits). */
  announce(events: EventRecord[]): void;
  /**
   * The catalogue entry `name` was created, replaced or deleted through this process: validate()
   * must not use a cached copy. Changes made by other processes are seen after the cache's TTL.
   */
  eventTypeChanged(name: string): void;
}

const MAX_GROUP = 500;

export function createPublisher(deps: {
  store: Store;
  checker: SchemaChecker;
  bus: EventBus;
  requireEventTypes: boolean;
  now: () => number;
  /** Called with each prepared event before it is written (tracing stores its trace context on it). */
  onPrepare?: ((event: NewEvent) => void) | undefined;
  /** TTL, size and clock of the event-type cache (see event-type-cache.ts); defaults suit production. */
  eventTypeCache?: Omit<EventTypeCacheOptions, 'load'> | undefined;
}): Publisher {
  const { store, checker, bus } = deps;
  const eventTypes = createEventTypeCache({ ...deps.eventTypeCache, load: (name) => store.getEventType(name) });
  let queue: Array<{ event: NewEvent; resolve: (r: PublishResult) => void; reject: (e: unknown) => void }> = [];
  // `scheduled`: a flush is queued for the next turn; `flushing`: a flush is running and will pick up
  // whatever is queued when its current group commits.
  let scheduled = false;
  let flushing = false;

  const announce = (events: EventRecord[]): void => {
    for (const e of events) bus.emit('event.published', { id: e.id, type: e.type, tenant: e.tenant, seq: e.seq, createdAt: e.createdAt });
    if (events.length > 0) {
      bus.emit('feed.changed', {});
      bus.emit('work.available', {});
    }
  };

  const afterPublish = (results: PublishResult[]): void => {
    announce(results.flatMap((r) => (r.kind === 'created' ? [r.event] : [])));
  };

  const flush = async (): Promise<void> => {
    scheduled = false;
    flushing = true;
    try {
      while (queue.length > 0) {
        const group = queue.slice(0, MAX_GROUP);
        queue = queue.slice(MAX_GROUP);
        // One transaction per group; if it fails, each item is written alone so that only the caller
        // whose event broke it hears the error (isolate-failures.ts).
        const outcomes = await writeIsolated(group.map((g) => g.event), (events) => store.publishEvents(events));
        const written: PublishResult[] = [];
        group.forEach((g, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) {
            g.resolve(outcome.value);
            written.push(outcome.value);
          } else g.reject(outcome.error);
        });
        afterPublish(written);
      }
    } finally {
      flushing = false;
    }
  };

  const publisher: Publisher = {
    async validate(input, pathPrefix = '') {
      checkOrderingKey(input.orderingKey, `${pathPrefix}/orderingKey`);
      if (!EVENT_TYPE_PATTERN.test(input.type)) {
        throw new HookdError('validation_failed', 'The event type must match ^[a-zA-Z0-9_.-]{1,128}$.', {
          errors: [{ path: `${pathPrefix}/type`, message: 'must match ^[a-zA-Z0-9_.-]{1,128}$' }],
        });
      }
      const eventType = await eventTypes.get(input.type);
      if (!eventType) {
        if (deps.requireEventTypes) {
          throw new HookdError('unknown_event_type', `The event type "${input.type}" is not in the catalogue (HOOKD_REQUIRE_EVENT_TYPES=true).`, {
            errors: [{ path: `${pathPrefix}/type`, message: 'is not in the event type catalogue' }],
          });
        }
        return;
      }
      if (eventType.schema) {
        const errors: FieldError[] = checker.check(eventType.schema, input.data).map((e) => ({
          path: `${pathPrefix}/data${e.path === '/' ? '' : e.path}`,
          message: e.message,
        }));
        if (errors.length > 0) {
          throw new HookdError('schema_mismatch', `The data does not match the schema of "${input.type}": ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
        }
      }
    },
    prepare(input) {
      const payload = input.payload ?? JSON.stringify(input.data);
      const orderingKey = input.orderingKey ?? null;
      // The key is part of the request: reusing an idempotency key with another ordering key is a
      // conflict. Left out when absent, so hashes of key-less publishes are what they always were.
      const hashed = orderingKey === null ? [input.type, input.tenant, payload] : [input.type, input.tenant, payload, orderingKey];
      const requestHash = createHash('sha256').update(JSON.stringify(hashed)).digest('hex');
      const event: NewEvent = {
        id: newId('event'),
        type: input.type,
        tenant: input.tenant,
        payload,
        rawBody: input.rawBody ?? null,
        idempotencyKey: input.idempotencyKey,
        requestHash,
        sourceId: input.sourceId ?? null,
        createdAt: deps.now(),
        deliveryIds: () => newId('delivery'),
        onlyEndpointId: input.onlyEndpointId,
        holdMs: input.holdMs,
        orderingKey,
      };
      deps.onPrepare?.(event);
      return event;
    },
    async publish(input) {
      await publisher.validate(input);
      const event = publisher.prepare(input);
      return new Promise<PublishResult>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        if (!scheduled && !flushing) {
          scheduled = true;
          // The batch is every caller's, not the first one's: outside its audit scope (core/audit.ts).
          setImmediate(() => void outsideAuditScope(flush));
        }
      });
    },
    async publishBatch(inputs, pathPrefix) {
      const errors: FieldError[] = [];
      const prepared: NewEvent[] = [];
      for (const [index, input] of inputs.entries()) {
        try {
          await publisher.validate(input, pathPrefix(index));
          prepared.push(publisher.prepare(input));
        } catch (err) {
          if (err instanceof HookdError && err.errors) errors.push(...err.errors);
          else throw err;
        }
      }
      if (errors.length > 0) throw new HookdError('schema_mismatch', `${errors.length} problem(s) in the batch; nothing was published.`, { errors });
      return publisher.publishMany(prepared);
    },
    async publishInbound(request, input) {
      const result = await store.recordInbound(request, publisher.prepare(input));
      if (result.publish !== null && result.publish.kind === 'created') announce([result.publish.event]);
      return result;
    },
    async publishMany(events) {
      const results = await store.publishEvents(events);
      afterPublish(results);
      return results;
    },
    announce,
    eventTypeChanged: (name) => eventTypes.invalidate(name),
  };
  return publisher;
}
