// The `hookd` command. Each command lives in commands/<name>.ts; this file only assembles them and
// maps failures to exit codes: 0 success, 1 failure, 2 usage.

import { Command, CommanderError } from 'commander';
import { VERSION } from '../runtime/version.js';
import { ConfigError } from '../config/load-config.js';
import { registerServe } from './commands/serve.js';
import { registerMigrate } from './commands/migrate.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('hookd')
    .description('Self-hosted webhooks: send, receive, pull, troubleshoot.')
    .version(VERSION)
    // Must be set before subcommands are added, or they do not inherit it.
    .exitOverride()
    .showHelpAfterError('(run hookd --help for usage)');
  registerServe(program);
  registerMigrate(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
      process.exit(2);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`hookd: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`hookd: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

await main();
