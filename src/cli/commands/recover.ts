// `hookd recover <endpoint> --since <time> [--until <time>]`: re-queue the endpoint's failed and
// cancelled deliveries in a window. Long windows are sent one day at a time, so a large backlog shows
// a progress bar and a failure part-way says how far it got.

import type { Command } from 'commander';
import { contextOf, enc, withJson } from '../command-kit.js';
import { UsageError } from '../errors.js';
import { timeOption } from '../input.js';
import { createProgress } from '../progress.js';

const DAY_MS = 86_400_000;

/** [since, until) cut into day windows; the last one may be shorter. */
export function dayWindows(since: number, until: number): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  for (let start = since; start < until; start += DAY_MS) windows.push([start, Math.min(start + DAY_MS, until)]);
  return windows;
}

export function registerRecover(program: Command): void {
  withJson(
    program
      .command('recover')
      .description("Re-queue an endpoint's failed deliveries created in a window (after you fixed the receiver)")
      .argument('<endpoint>', 'ep_...')
      .requiredOption('--since <time>', 'From (ISO 8601, or a duration ago: 30m, 2h, 7d)', timeOption)
      .option('--until <time>', 'To (default: now)', timeOption),
  ).action(async (endpoint: string, opts: { since: number; until?: number }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const until = opts.until ?? Date.now() + 1;
    if (until <= opts.since) throw new UsageError('--until must be after --since');
    const windows = dayWindows(opts.since, until);
    const progress = createProgress({ total: windows.length, label: 'recovering', enabled: !ctx.out.json });
    let recovered = 0;
    let endpointEnabled = true;
    try {
      for (const [from, to] of windows) {
        const { body } = await ctx.client.post<{ recovered: number; endpointEnabled: boolean }>(`/v1/endpoints/${enc(endpoint)}/recover`, {
          since: new Date(from).toISOString(),
          until: new Date(to).toISOString(),
        });
        recovered += body.recovered;
        endpointEnabled = body.endpointEnabled;
        progress.tick(1, { detail: `${recovered} re-queued` });
      }
    } finally {
      progress.stop();
    }
    const result = { endpointId: endpoint, since: new Date(opts.since).toISOString(), until: new Date(until).toISOString(), recovered, endpointEnabled };
    if (ctx.out.json) return ctx.out.document(result);
    ctx.out.line(`re-queued ${recovered} deliver${recovered === 1 ? 'y' : 'ies'} of ${endpoint}`);
    if (!endpointEnabled) ctx.out.note(ctx.out.ec.yellow(`${endpoint} is disabled: nothing is sent until \`hookd endpoints enable ${endpoint}\``));
  });
}
