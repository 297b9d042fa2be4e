// The dashboard's axis scale (web/components/chart.js, a browser module with no DOM use at import):
// nice tops that round up only as far as needed, and even ticks from zero.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const load = async () => (await import(pathToFileURL(join(process.cwd(), 'web/components/chart.js')).href)) as { niceScale: (max: number, o?: { integer?: boolean }) => { top: number; ticks: number[] } };

describe('niceScale', () => {
  it('rounds a count up to the next nice number, not the next power of ten', async () => {
    const { niceScale } = await load();
    expect(niceScale(234, { integer: true })).toEqual({ top: 250, ticks: [0, 50, 100, 150, 200, 250] });
    expect(niceScale(1100, { integer: true }).top).toBe(1200);
    expect(niceScale(7, { integer: true })).toEqual({ top: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(100, { integer: true })).toEqual({ top: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceScale(3, { integer: true })).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(0, { integer: true })).toEqual({ top: 1, ticks: [0, 1] });
  });

  it('counts never get fractional ticks', async () => {
    const { niceScale } = await load();
    for (let max = 1; max <= 2000; max += 1) {
      const { top, ticks } = niceScale(max, { integer: true });
      expect(top, String(max)).toBeGreaterThanOrEqual(max);
      expect(top, String(max)).toBeLessThanOrEqual(max * 2);
      expect(ticks.every(Number.isInteger), String(max)).toBe(true);
      expect(ticks.length, String(max)).toBeGreaterThanOrEqual(2);
      expect(ticks.length, String(max)).toBeLessThanOrEqual(7);
      expect(ticks.at(-1)).toBe(top);
    }
  });

  it('rates and latencies get decimal ticks', async () => {
    const { niceScale } = await load();
    expect(niceScale(0.42)).toEqual({ top: 0.5, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5] });
    expect(niceScale(1)).toEqual({ top: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceScale(3300).top).toBe(4000);
    expect(niceScale(0.013).top).toBe(0.015);
  });
});
