import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryDedupeStore } from '../src/receiver/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createMemoryDedupeStore', () => {
  it('marks and reports atomically', async () => {
    const store = createMemoryDedupeStore();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.seen('evt_1')));
    expect(results.filter((seen) => !seen)).toHaveLength(1);
    expect(await store.seen('evt_2')).toBe(false);
    expect(await store.seen('evt_2')).toBe(true);
  });

  it('expires entries after the TTL (injected clock), counted from first sight', async () => {
    let now = 1_000_000;
    const store = createMemoryDedupeStore({ ttlMs: 60_000, now: () => now });
    expect(await store.seen('a')).toBe(false);
    now += 59_999;
    expect(await store.seen('a')).toBe(true); // a duplicate does not extend the TTL
    now += 1;
    expect(await store.seen('a')).toBe(false);
    expect(store.size()).toBe(1);
    now += 60_000;
    expect(store.size()).toBe(0);
  });

  it('expires entries after the TTL (fake timers, default clock and 24 h TTL)', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-05-20T00:00:00Z'));
    const store = createMemoryDedupeStore();
    expect(await store.seen('evt')).toBe(false);
    vi.advanceTimersByTime(23 * 60 * 60 * 1000);
    expect(await store.seen('evt')).toBe(true);
    vi.advanceTimersByTime(60 * 60 * 1000);
    expect(await store.seen('evt')).toBe(false);
  });

  it('stays bounded, dropping the oldest ids first', async () => {
    const store = createMemoryDedupeStore({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(await store.seen(id)).toBe(false);
    expect(store.size()).toBe(3);
    expect(await store.seen('e')).toBe(true);
    expect(await store.seen('d')).toBe(true);
    expect(await store.seen('a')).toBe(false); // evicted, so seen as new
    expect(store.size()).toBe(3);
  });

  it('holds 100 000 ids by default and no more', async () => {
    const store = createMemoryDedupeStore();
    for (let i = 0; i < 100_010; i += 1) await store.seen(`evt_${i}`);
    expect(store.size()).toBe(100_000);
  });

  it('forgets on request and validates its options', async () => {
    const store = createMemoryDedupeStore();
    await store.seen('x');
    await store.forget('x');
    expect(await store.seen('x')).toBe(false);
    expect(() => createMemoryDedupeStore({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => createMemoryDedupeStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
