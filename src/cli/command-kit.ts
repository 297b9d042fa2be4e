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

export function pageHint(out: Output, page: Page<unknown>, command: string): void {
  if (!out.json && page.nextCursor) out.note(out.ec.dim(`more: ${command} --cursor ${page.nextCursor}`));
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
