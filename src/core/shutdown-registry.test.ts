import { describe, expect, it } from 'vitest';
import { createShutdownRegistry } from './shutdown-registry.js';

describe('shutdown registry', () => {
  it('runs every registered end once, in order, and not the unregistered ones', () => {
    const registry = createShutdownRegistry();
    const ran: string[] = [];
    registry.onClose(() => ran.push('a'));
    const offB = registry.onClose(() => ran.push('b'));
    registry.onClose(() => ran.push('c'));
    offB();
    expect(registry.size()).toBe(2);
    registry.close();
    registry.close();
    expect(ran).toEqual(['a', 'c']);
    expect(registry.closing).toBe(true);
    expect(registry.size()).toBe(0);
  });

  it('a failing end does not stop the others, and is reported', () => {
    const errors: unknown[] = [];
    const registry = createShutdownRegistry((err) => errors.push(err));
    const ran: string[] = [];
    registry.onClose(() => {
      throw new Error('socket gone');
    });
    registry.onClose(() => ran.push('after'));
    registry.close();
    expect(ran).toEqual(['after']);
    expect(errors).toHaveLength(1);
  });

  it('ends what registers after closing began, on the next microtask', async () => {
    const registry = createShutdownRegistry();
    registry.close();
    let ended = false;
    const off = registry.onClose(() => (ended = true));
    expect(ended).toBe(false);
    await Promise.resolve();
    expect(ended).toBe(true);
    off();
  });
});
