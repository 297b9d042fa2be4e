// Small pieces every command file uses: the --json and paging flags, the "more results" hint, and
// the context (client + output) an action works with.

import type { Command } from 'commander';
import type { Page } from './api-types.js';
import { clientFor, type HookdClient } from './client.js';
import { intOption } from './input.js';
import { outputFor, type Output } from './output.js';

export function withJson(cmd: Command, what = 'Print one JSON document instead of a table'): Command {
  return cmd.option('--json', what);
}

export function withPaging(cmd: Command): Command {
  return cmd.option('--limit <n>', 'Rows per page (1-250)', intOption(1, 250), 50).option('--cursor <cursor>', 'Continue from a nextCursor of a previous page');
}

export interface Ctx {
  out: Output;
  client: HookdClient;
}

/** Output first (so it exists even when the client cannot be configured), then the client. */
export function contextOf(cmd: Command): Ctx {
  const out = outputFor(cmd);
  return { out, client: clientFor(cmd) };
}

/**
 * "more: <the same command> --cursor <next>": the command line as typed, every filter and flag kept
 * (a cursor continues one query; without its filters it would page through a different list), any
 * previous --cursor replaced.
 */
export function pageHint(out: Output, page: Page<unknown>, fixed: Record<string, string | undefined> = {}, argv: readonly string[] = process.argv): void {
  if (!out.json && page.nextCursor) out.note(out.ec.dim(`more: ${continuationCommand(argv, page.nextCursor, fixed)}`));
}

/**
 * `fixed` rewrites a flag's value: a relative `--since 2h` becomes the instant it meant, so the next
 * page continues the same window rather than one that moved with the clock.
 */
export function continuationCommand(argv: readonly string[], cursor: string, fixed: Record<string, string | undefined> = {}): string {
  const args: string[] = [];
  const given = argv.slice(2);
  for (let i = 0; i < given.length; i++) {
    const arg = given[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), true] : [arg, false];
    if (flag === '--cursor') {
      if (!inline) i++;
      continue;
    }
    const value = fixed[flag];
    if (value !== undefined) {
      if (!inline) i++;
      args.push(flag, value);
      continue;
    }
    args.push(arg);
  }
  return ['hookd', ...args, '--cursor', cursor].map(shellQuote).join(' ');
}

/** Quote for a POSIX shell only when needed, so the hint can be pasted as it is. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** "2026-05-20 15:30:01" in UTC from an ISO string (tables); null stays "-". */
export function shortTime(isoString: string | null | undefined): string {
  if (!isoString) return '-';
  return isoString.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function ms(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${Math.round(n)} ms`;
}

export function enc(id: string): string {
  return encodeURIComponent(id);
}
