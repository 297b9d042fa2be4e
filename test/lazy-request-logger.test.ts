import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loggerOptions } from '../src/runtime/logger.js';
import { lazyChildLogger } from '../src/api/lazy-request-logger.js';

/** hookd's own pino options over a memory stream, with a count of the children made. */
function setup(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const parent = pino(loggerOptions(level), stream);
  let children = 0;
  // pino's children inherit from their parent, so the count keeps `this`: a grandchild is the child's.
  const original = (Object.getPrototypeOf(parent) as { child: typeof parent.child }).child;
  parent.child = function (this: typeof parent, ...args: Parameters<typeof original>) {
    children++;
    return original.call(this, ...args);
  } as typeof original;
  return { parent, lines, children: () => children };
}

describe('lazyChildLogger', () => {
  it('makes no child while nothing is written, and writes through one child with the bindings once a line is', () => {
    const { parent, lines, children } = setup('info');
    const log = lazyChildLogger(parent, { requestId: 'req-1' });
    log.debug({ a: 1 }, 'below the level');
    log.trace('below the level');
    expect(children()).toBe(0);
    expect(log.level).toBe('info');
    log.warn({ attempt: 2 }, 'first');
    log.error('second');
    expect(children()).toBe(1);
    expect(lines.map((l) => [l.msg, l.requestId, l.level])).toEqual([
      ['first', 'req-1', 40],
      ['second', 'req-1', 50],
    ]);
    expect(lines[0]!.attempt).toBe(2);
  });

  it('keeps hookd redaction on what a request logs', () => {
    const { parent, lines } = setup('info');
    const log = lazyChildLogger(parent, { requestId: 'req-2' });
    log.warn({ headers: { authorization: 'Bearer hk_secret' }, endpoint: { auth: { password: 'pw' } } }, 'redacted');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('hk_secret');
    expect(text).not.toContain('"pw"');
    expect(text).toContain('[redacted]');
  });

  it('follows the parent level, and a level set on it applies to the request only', () => {
    const { parent, lines } = setup('warn');
    const log = lazyChildLogger(parent, { requestId: 'req-3' });
    log.info('hidden');
    parent.level = 'info';
    log.info('shown');
    const other = lazyChildLogger(parent, { requestId: 'req-4' });
    other.level = 'debug';
    other.debug('own level');
    log.debug('parent level');
    expect(lines.map((l) => l.msg)).toEqual(['shown', 'own level']);
    expect(parent.level).toBe('info');
  });

  it('makes the child at once for a route of its own level, and passes child() through', () => {
    const { parent, lines, children } = setup('info');
    const routed = lazyChildLogger(parent, { requestId: 'req-5' }, { level: 'debug' });
    expect(children()).toBe(1);
    routed.debug('route level');
    const log = lazyChildLogger(parent, { requestId: 'req-6' });
    log.child({ part: 'x' }).info('nested');
    expect(lines.map((l) => [l.msg, l.requestId, l.part])).toEqual([
      ['route level', 'req-5', undefined],
      ['nested', 'req-6', 'x'],
    ]);
  });
});
