// `hookd demo`: the whole loop in under a minute against a running server (src/cli/demo/ does the work).

import type { Command } from 'commander';
import { contextOf } from '../command-kit.js';
import { runDemo } from '../demo/run-demo.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Watch a simulated contact centre send webhooks to a CRM, reporting and a supervisor app (needs a server that allows loopback)')
    .option('--keep', 'Leave the demo endpoints enabled (by default they are disabled at the end, their receivers stop with the demo)')
    .option('--json', 'Narrate on stderr and print a JSON summary on stdout')
    .action(async (opts: { keep?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      await runDemo(ctx, { keep: opts.keep === true });
    });
}
