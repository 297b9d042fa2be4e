import { describe, expect, it } from 'vitest';
import { slotAt, slotWindow } from './rate-slots.js';

describe('rate-limit send slots', () => {
  it('fits the slots of [now, now + hold], the last one included', () => {
    // 4/s: every 250 ms; a 600 ms hold reaches +0, +250, +500.
    expect(slotWindow(4, null, 1_000, 600)).toEqual({ start: 1_000, room: 3 });
    // A slot exactly at now + hold counts.
    expect(slotWindow(4, null, 1_000, 500)).toEqual({ start: 1_000, room: 3 });
    expect(slotWindow(4, null, 1_000, 0)).toEqual({ start: 1_000, room: 1 });
  });

  it('continues from the next free slot, and has no room when it lies beyond the hold', () => {
    expect(slotWindow(4, 1_750, 1_400, 600)).toEqual({ start: 1_750, room: 2 });
    expect(slotWindow(4, 2_001, 1_400, 600)).toEqual({ start: 2_001, room: 0 });
  });

  it('starts at now after an idle endpoint: no burst credit for the time it was idle', () => {
    expect(slotWindow(10, 5_000, 60_000, 1_000)).toEqual({ start: 60_000, room: 11 });
  });

  it('computes each slot from the first, so a rate that does not divide 1000 does not drift', () => {
    expect([0, 1, 2, 3, 300].map((i) => slotAt(0, 3, i))).toEqual([0, 333, 667, 1_000, 100_000]);
    expect(slotWindow(3, null, 0, 1_000).room).toBe(4);
  });

  it('handles fractional rates (one slot every few seconds)', () => {
    expect(slotAt(0, 0.5, 3)).toBe(6_000);
    expect(slotWindow(0.1, null, 0, 10_000).room).toBe(2);
    expect(slotWindow(0.1, null, 0, 9_999).room).toBe(1);
  });
});
