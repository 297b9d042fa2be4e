import { describe, expect, it } from 'vitest';
import { continuationCommand, shellQuote } from './command-kit.js';

const argv = (...args: string[]) => ['node', 'hookd', ...args];

describe('continuationCommand', () => {
  it('keeps every flag and argument, replaces a previous cursor, and fixes the given values', () => {
    expect(continuationCommand(argv('deliveries', 'list', '--status', 'failed', '--cursor', 'old', '--since', '2h'), 'c2', { '--since': '2026-05-20T13:30:00.000Z' })).toBe(
      'hookd deliveries list --status failed --since 2026-05-20T13:30:00.000Z --cursor c2',
    );
    expect(continuationCommand(argv('--profile', 'prod', 'sources', 'requests', 'src_1', '--cursor=old', '--since=1h'), 'c3', { '--since': 'T' })).toBe('hookd --profile prod sources requests src_1 --since T --cursor c3');
  });

  it('quotes only what a shell would split or expand', () => {
    expect(shellQuote('chat.started')).toBe('chat.started');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(continuationCommand(argv('endpoints', 'list', '--description', 'a b'), 'x')).toBe("hookd endpoints list --description 'a b' --cursor x");
  });
});
