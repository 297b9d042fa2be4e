// The `hookd` command. Each command lives in commands/<name>.ts; this file only assembles them and
// maps failures to exit codes: 0 success, 1 failure, 2 usage (and missing configuration).

import { Command, CommanderError } from 'commander';
import { VERSION } from '../runtime/version.js';
import { ConfigError } from '../config/load-config.js';
import { registerSend } from './commands/send.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerFilters } from './commands/routing.js';
import { registerEvents } from './commands/events.js';
import { registerDeliveries } from './commands/deliveries.js';
import { registerAudit } from './commands/audit.js';
import { registerAlerts } from './commands/alerts.js';
import { registerRecover } from './commands/recover.js';
import { registerTail } from './commands/tail.js';
import { registerListen } from './commands/listen.js';
import { registerDoctor } from './commands/doctor.js';
import { registerSignature } from './commands/signature.js';
import { registerSources } from './commands/sources.js';
import { registerKeys } from './commands/keys.js';
import { registerSigningKeys } from './commands/signing-keys.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerApply } from './commands/apply.js';
import { registerTrigger } from './commands/trigger.js';
import { registerMock } from './commands/mock.js';
import { registerBin } from './commands/bin.js';
import { registerMcp } from './commands/mcp.js';
import { CliError, QuietExit } from './errors.js';
import { decideColor } from './output.js';
import { helpConfiguration } from './help-format.js';

// `serve` and `migrate` load the whole server (fastify, database drivers: about half a second), so
// they are imported only when they run or when the full help is shown; every other command gets a
// quick start. Placeholders keep them in suggestions ("Did you mean serve?").
const SERVER_COMMANDS: Record<string, string> = {
  serve: 'Run the hookd server (API, ingress, dashboard and delivery workers)',
  migrate: 'Apply database migrations and exit; with --from and --to, copy every table from one database to another',
};

/** The first command word of argv (skipping global options and the value of --profile). */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

async function registerServerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const word = commandWord(argv);
  const versionOnly = word === undefined && (argv.includes('--version') || argv.includes('-V'));
  if (!versionOnly && (word === undefined || word === 'help' || word in SERVER_COMMANDS)) {
    const [{ registerServe }, { registerMigrate }] = await Promise.all([import('./commands/serve.js'), import('./commands/migrate.js')]);
    registerServe(program);
    registerMigrate(program);
    return;
  }
  for (const [name, description] of Object.entries(SERVER_COMMANDS)) program.command(name).description(description).allowUnknownOption().allowExcessArguments();
}

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command();
  const colorOn = decideColor({ flag: process.argv.includes('--no-color') ? false : undefined, env: process.env, isTTY: process.stderr.isTTY === true });
  program
    .name('hookd')
    .description('Self-hosted webhooks: send, receive, pull, troubleshoot.')
    .version(VERSION)
    // Must be set before subcommands are added, or they do not inherit them.
    .exitOverride()
    .configureHelp(helpConfiguration)
    .configureOutput({ outputError: (text, write) => write(colorOn ? `\x1b[31m${text}\x1b[39m` : text) })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .option('--profile <name>', 'Use this server profile from ~/.config/hookd/config.json (HOOKD_PROFILE)')
    .option('--no-color', 'No colour (also NO_COLOR=1); colour is only used on a terminal')
    .addHelpText(
      'after',
      '\nServer commands read HOOKD_URL and HOOKD_API_KEY, or a profile saved by `hookd login`.\nExit codes: 0 success, 1 failure, 2 usage or missing configuration. Docs: docs/cli.md',
    );
  await registerServerCommands(program, argv);
  registerSend(program);
  registerEndpoints(program);
  registerFilters(program);
  registerEvents(program);
  registerDeliveries(program);
  registerAudit(program);
  registerAlerts(program);
  registerRecover(program);
  registerTail(program);
  registerListen(program);
  registerDoctor(program);
  registerSignature(program);
  registerSources(program);
  registerKeys(program);
  registerSigningKeys(program);
  registerConfig(program);
  registerDemo(program);
  registerApply(program);
  registerTrigger(program);
  registerMock(program);
  registerBin(program);
  registerMcp(program);
  return program;
}

/**
 * `hookd ... | head -1`: the reader closed the pipe. That is the reader's choice, not a failure, so
 * the command ends quietly with 0 instead of an unhandled EPIPE stack trace (streams such as tail
 * and listen end here too).
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') exit(0);
    else throw err;
  });
}

async function main(): Promise<void> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const program = await buildProgram(process.argv);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      // `hookd endpoints` (a group without its subcommand) prints help with exitCode 1: a usage error.
      process.exit(err.code === 'commander.help' && err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof QuietExit) process.exit(err.exitCode);
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(err.exitCode);
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
