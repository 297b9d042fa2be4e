import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogDestination } from './log-destination.js';

function until(fn: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (fn()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('log destination', () => {
  it('writes every line, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-log-'));
    try {
      const fd = openSync(join(dir, 'log'), 'w');
      const dest = createLogDestination({ fd });
      const lines = Array.from({ length: 500 }, (_, i) => `{"n":${i}}\n`);
      for (const line of lines) dest.write(line);
      await until(() => readFileSync(join(dir, 'log'), 'utf8').length === lines.join('').length);
      expect(readFileSync(join(dir, 'log'), 'utf8')).toBe(lines.join(''));
      expect(dest.broken()).toBe(false);
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops writing after a hard write error, and its exit flush returns at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-log-'));
    try {
      closeSync(openSync(join(dir, 'log'), 'w'));
      const fd = openSync(join(dir, 'log'), 'r'); // not writable: EBADF on write, like a dead pipe's EPIPE
      const dest = createLogDestination({ fd });
      dest.write('{"a":1}\n');
      await until(() => dest.broken());
      dest.write('{"a":2}\n');
      const started = Date.now();
      dest.flushSync();
      expect(Date.now() - started).toBeLessThan(100);
      expect(dest.dropped()).toBe(2);
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops lines past its buffer instead of growing without bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-log-'));
    try {
      const fd = openSync(join(dir, 'log'), 'w');
      const dest = createLogDestination({ fd, maxBufferedBytes: 100 });
      for (let i = 0; i < 20; i += 1) dest.write(`${'x'.repeat(40)}\n`);
      // Nothing has been written yet (writes complete on later turns): all but two were over the cap.
      expect(dest.dropped()).toBe(18);
      dest.flushSync();
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
