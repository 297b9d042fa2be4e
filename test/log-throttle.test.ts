import { describe, expect, it } from 'vitest';
import { createLogThrottle } from '../src/observability/log-throttle.js';

describe('log throttle', () => {
  it('logs the first occurrence at once, then one line per interval with the count held back', () => {
    let t = 1_000;
    const throttle = createLogThrottle(5_000, () => t);
    const lines: number[] = [];
    const hit = (): void => throttle.hit((suppressed) => lines.push(suppressed));
    hit();
    for (let i = 0; i < 49; i += 1) {
      t += 100;
      hit();
    }
    expect(lines).toEqual([0]);
    t = 6_000;
    hit();
    expect(lines).toEqual([0, 49]);
    t = 60_000;
    hit();
    expect(lines).toEqual([0, 49, 0]);
  });
});
