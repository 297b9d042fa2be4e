// The publisher's event-type cache, against a real SQLite store whose getEventType is counted: a hit
// does not reach the store, "not in the catalogue" is cached too, entries expire after the TTL (clock
// injected), size is bounded, and changes made through this process's API apply at once.

import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSchemaChecker } from '../src/core/payload-check.js';
import type { EventType } from '../src/core/types.js';
import { createEventTypeCache } from '../src/delivery/event-type-cache.js';
import { createPublisher, type PublishInput } from '../src/delivery/publisher.js';
import { EventBus } from '../src/core/event-bus.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { createHarness } from './helpers/harness.js';

const T0 = 1_800_000_000_000;
const TTL = 5_000;

/** The real store, with its catalogue reads counted (and optionally held back or failed). */
function counted(store: Store): { store: Store; reads: () => number; gate: { hold: Promise<void> | null; fail: Error | null } } {
  let reads = 0;
  const gate: { hold: Promise<void> | null; fail: Error | null } = { hold: null, fail: null };
  const wrapped: Store = {
    ...store,
    getEventType: async (name) => {
      reads += 1;
      if (gate.hold) await gate.hold;
      if (gate.fail) throw gate.fail;
      return store.getEventType(name);
    },
  };
  return { store: wrapped, reads: () => reads, gate };
}

function eventType(name: string, schema: Record<string, unknown> | null): EventType {
  return { name, description: null, schema, example: null, createdAt: T0, updatedAt: T0 };
}

const needsId = { type: 'object', required: ['id'] };
const input = (type: string, data: unknown = {}): PublishInput => ({ type, data, tenant: null, idempotencyKey: null });

let raw: Store;
let clock: number;

beforeEach(async () => {
  raw = createSqliteStore({ path: ':memory:', secretBox: createAesGcmBox(randomBytes(32)) });
  await raw.migrate();
  clock = 0;
});
afterEach(async () => {
  await raw.close();
});

function publisherOver(store: Store, options: { requireEventTypes?: boolean; maxEntries?: number } = {}) {
  return createPublisher({
    store,
    checker: createSchemaChecker(),
    bus: new EventBus(),
    requireEventTypes: options.requireEventTypes ?? false,
    now: () => T0,
    eventTypeCache: { ttlMs: TTL, maxEntries: options.maxEntries, now: () => clock },
  });
}

describe('publisher event-type cache', () => {
  it('answers repeated validations of a type from memory', async () => {
    await raw.putEventType(eventType('chat.started', needsId));
    const c = counted(raw);
    const publisher = publisherOver(c.store);
    for (let i = 0; i < 5; i++) await publisher.validate(input('chat.started', { id: i }));
    await expect(publisher.validate(input('chat.started', {}))).rejects.toMatchObject({ code: 'schema_mismatch' });
    expect(c.reads()).toBe(1);
  });

  it('caches "not in the catalogue": accepted by default, refused under requireEventTypes, one read each', async () => {
    const lenient = counted(raw);
    const open = publisherOver(lenient.store);
    await open.validate(input('not.there'));
    await open.validate(input('not.there'));
    expect(lenient.reads()).toBe(1);

    const strictStore = counted(raw);
    const strict = publisherOver(strictStore.store, { requireEventTypes: true });
    for (let i = 0; i < 2; i++) {
      await expect(strict.validate(input('not.there'), '/body')).rejects.toMatchObject({
        code: 'unknown_event_type',
        errors: [{ path: '/body/type', message: 'is not in the event type catalogue' }],
      });
    }
    expect(strictStore.reads()).toBe(1);
  });

  it('sees a change made by another process once the TTL has passed, not before', async () => {
    await raw.putEventType(eventType('call.ended', null));
    const c = counted(raw);
    const publisher = publisherOver(c.store);
    await publisher.validate(input('call.ended', {}));
    // Another process adds a schema: this one cannot know until its entry expires.
    await raw.putEventType(eventType('call.ended', needsId));
    clock += TTL - 1;
    await publisher.validate(input('call.ended', {}));
    expect(c.reads()).toBe(1);
    clock += 1;
    await expect(publisher.validate(input('call.ended', {}))).rejects.toMatchObject({ code: 'schema_mismatch' });
    expect(c.reads()).toBe(2);
  });

  it('expires "not in the catalogue" under the same TTL', async () => {
    const c = counted(raw);
    const publisher = publisherOver(c.store, { requireEventTypes: true });
    await expect(publisher.validate(input('late.type'))).rejects.toMatchObject({ code: 'unknown_event_type' });
    await raw.putEventType(eventType('late.type', null));
    await expect(publisher.validate(input('late.type'))).rejects.toMatchObject({ code: 'unknown_event_type' });
    clock += TTL;
    await publisher.validate(input('late.type'));
    expect(c.reads()).toBe(2);
  });

  it('forgets a type at once when told it changed (the API path)', async () => {
    await raw.putEventType(eventType('order.paid', null));
    const c = counted(raw);
    const publisher = publisherOver(c.store);
    await publisher.validate(input('order.paid', {}));
    await raw.putEventType(eventType('order.paid', needsId));
    publisher.eventTypeChanged('order.paid');
    await expect(publisher.validate(input('order.paid', {}))).rejects.toMatchObject({ code: 'schema_mismatch' });
    expect(c.reads()).toBe(2);
  });

  it('keeps at most maxEntries types, dropping the least recently used', async () => {
    const c = counted(raw);
    const publisher = publisherOver(c.store, { maxEntries: 2 });
    await publisher.validate(input('a.one'));
    await publisher.validate(input('b.two'));
    await publisher.validate(input('a.one')); // a.one is now the most recently used
    await publisher.validate(input('c.three')); // evicts b.two
    expect(c.reads()).toBe(3);
    await publisher.validate(input('a.one'));
    expect(c.reads()).toBe(3);
    await publisher.validate(input('b.two'));
    expect(c.reads()).toBe(4);
  });
});

describe('event-type cache loads', () => {
  it('concurrent misses for one name share a single read', async () => {
    const c = counted(raw);
    let release!: () => void;
    c.gate.hold = new Promise((r) => (release = r));
    const cache = createEventTypeCache({ load: (name) => c.store.getEventType(name), now: () => clock });
    const all = Promise.all([cache.get('x.y'), cache.get('x.y'), cache.get('x.y')]);
    release();
    expect(await all).toEqual([null, null, null]);
    expect(c.reads()).toBe(1);
  });

  it('does not keep a read that was in flight when the type changed', async () => {
    const c = counted(raw);
    let release!: () => void;
    c.gate.hold = new Promise((r) => (release = r));
    const cache = createEventTypeCache({ load: (name) => c.store.getEventType(name), now: () => clock });
    const before = cache.get('x.y');
    // The read may already have seen the old row; the change lands, then the read returns.
    cache.invalidate('x.y');
    await raw.putEventType(eventType('x.y', needsId));
    c.gate.hold = null;
    release();
    await before;
    expect((await cache.get('x.y'))?.schema).toEqual(needsId);
    expect(c.reads()).toBe(2);
  });

  it('does not cache a failed read', async () => {
    const c = counted(raw);
    c.gate.fail = Object.assign(new Error('database down'), { code: 'ECONNREFUSED' });
    const cache = createEventTypeCache({ load: (name) => c.store.getEventType(name), now: () => clock });
    await expect(cache.get('x.y')).rejects.toThrow('database down');
    c.gate.fail = null;
    expect(await cache.get('x.y')).toBeNull();
    expect(c.reads()).toBe(2);
  });
});

describe('event-type changes through the API', () => {
  it('apply to the very next publish: replaced schema, deleted type, created type', async () => {
    const c = counted(createSqliteStore({ path: ':memory:', secretBox: createAesGcmBox(randomBytes(32)) }));
    const h = await createHarness({ requireEventTypes: true }, { store: c.store });
    try {
      const publish = (data: unknown) => h.request('POST', '/v1/events', { body: { type: 'ticket.opened', data } });

      // Unknown (and cached as unknown), then created through the API: accepted at once.
      expect((await publish({})).status).toBe(422);
      expect((await h.request('PUT', '/v1/event-types/ticket.opened', { body: {} })).status).toBe(201);
      expect((await publish({})).status).toBe(202);

      // Repeated publishes are answered from the cache.
      const reads = c.reads();
      expect((await publish({ n: 1 })).status).toBe(202);
      expect((await publish({ n: 2 })).status).toBe(202);
      expect(c.reads()).toBe(reads);

      // Replaced with a schema: the next publish is checked against it.
      expect((await h.request('PUT', '/v1/event-types/ticket.opened', { body: { schema: needsId } })).status).toBe(200);
      const refused = await publish({});
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('schema_mismatch');
      expect((await publish({ id: 1 })).status).toBe(202);

      // Deleted: unknown again at once.
      expect((await h.request('DELETE', '/v1/event-types/ticket.opened')).status).toBe(204);
      const gone = await publish({ id: 2 });
      expect(gone.status).toBe(422);
      expect(gone.body.code).toBe('unknown_event_type');
    } finally {
      await h.close();
    }
  });
});
