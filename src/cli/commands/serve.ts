// `hookd serve`: load the configuration, start the runtime, print the URL (and, on first start, the
// admin key), and shut down gracefully on SIGTERM/SIGINT.

import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { loadConfig, maskConfig } from '../../config/load-config.js';
import { SETTINGS, type SettingKey } from '../../config/settings.js';
import { createLogger } from '../../runtime/logger.js';
import { createRuntime } from '../../runtime/create-runtime.js';
import { armShutdownDeadline, SHUTDOWN_EXTRA_MS } from '../../runtime/shutdown-deadline.js';
import { CliError } from '../errors.js';
import { registerMcpRoute } from '../mcp/mcp-route.js';

export function flagsFrom(opts: Record<string, unknown>): Partial<Record<SettingKey, string | number | boolean>> {
  const flags: Partial<Record<SettingKey, string | number | boolean>> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[SettingKey, { flag?: string }]>) {
    if (!spec.flag) continue;
    const camel = spec.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = opts[camel];
    if (value !== undefined) flags[key] = value as string | number | boolean;
  }
  return flags;
}

/** The settings' flags on a command; `only` limits them to what that command reads (migrate: the database). */
export function addServerFlags(cmd: Command, only?: readonly SettingKey[]): Command {
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[SettingKey, { flag?: string; type: string; doc: string; env: string }]>) {
    if (!spec.flag || (only && !only.includes(key))) continue;
    if (spec.type === 'boolean') cmd.option(`--${spec.flag}`, `${spec.doc} (${spec.env})`);
    else cmd.option(`--${spec.flag} <value>`, `${spec.doc} (${spec.env})`);
  }
  return cmd.option('--config <file>', 'JSON config file (HOOKD_CONFIG)');
}

export function registerServe(program: Command): void {
  const cmd = program.command('serve').description('Run the hookd server (API, ingress, dashboard and delivery workers)');
  addServerFlags(cmd).option('--print-config', 'Print the effective configuration (secrets masked) and exit');
  cmd.action(async (opts: Record<string, unknown>) => {
    const config = loadConfig({ flags: flagsFrom(opts), env: process.env, file: (opts.config as string | undefined) ?? process.env.HOOKD_CONFIG });
    if (opts.printConfig) {
      process.stdout.write(`${JSON.stringify(maskConfig(config), null, 2)}\n`);
      return;
    }
    const logger = createLogger(config.logLevel, { pretty: process.stdout.isTTY && !process.env.NO_COLOR });
    // A delivering process promotes every in-flight request's objects (they outlive two scavenges),
    // and V8 lets that garbage reach 4x the live heap before a full collection: ~200 MB of heap for
    // ~50 MB live. V8 reads this flag at each collection, so setting it now applies to the server.
    if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
    let adminKey: string | null = null;
    const runtime = await createRuntime({ config, logger, onAdminKeyCreated: (key) => (adminKey = key) });
    let address: string;
    // MCP over streamable HTTP at /mcp, behind an API key; its tools call this server's own API.
    if (config.role !== 'worker') registerMcpRoute(runtime.app);
    try {
      address = await runtime.listen();
    } catch (err) {
      await runtime.close().catch(() => undefined);
      throw listenError(err, config.host, config.port);
    }
    const url = bannerUrl(address);
    // The log line comes first and the banner last, as one block: on a terminal both streams
    // interleave, and the key must not end up between log lines. Both name the same URL.
    logger.info({ url, role: config.role, database: runtime.store.dialect }, 'hookd started');
    const lines = [`hookd ${runtime.store.dialect} server listening on ${url}`, `  dashboard: ${url}/   API docs: ${url}/docs   role: ${config.role}`];
    if (adminKey) lines.push('', '  Admin API key (shown once, store it now):', `    ${adminKey}`, '', `  Try: curl -H "Authorization: Bearer ${adminKey}" ${url}/v1/endpoints`);
    process.stderr.write(`${lines.join('\n')}\n`);

    // A log reader or terminal that went away must not turn into an uncaught EPIPE (logs go through
    // runtime/log-destination.ts, which handles its own errors).
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);

    let stopping = false;
    const shutdown = (signal: string): void => {
      if (stopping) {
        // A second signal: the operator does not want to wait for the grace.
        logger.warn({ signal }, 'second stop signal: exiting now');
        process.exit(0);
      }
      stopping = true;
      // The bound is armed first: whatever the graceful path below meets, the process ends by then.
      const deadline = armShutdownDeadline({
        ms: config.shutdownGraceMs + SHUTDOWN_EXTRA_MS,
        onExpire: () => logger.warn({ boundMs: config.shutdownGraceMs + SHUTDOWN_EXTRA_MS }, 'shutdown bound reached: exiting without waiting further'),
      });
      logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing in-flight deliveries');
      runtime
        .close()
        .then(() => {
          deadline.disarm();
          logger.info('stopped');
          process.exit(0);
        })
        .catch((err: unknown) => {
          deadline.disarm();
          logger.error({ err }, 'error during shutdown');
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
}

/** The URL to print: the bound address, with a wildcard host replaced by one a browser can open. */
export function bannerUrl(address: string): string {
  return address.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:');
}

/** A failed listen, with the setting that changes it (the first start used to end in a bare EADDRINUSE). */
export function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const change = 'choose another with --port <n> (or PORT / HOOKD_PORT), and the address with --host (HOOKD_HOST)';
  if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${host}:${port}: the port is already in use (another hookd or another program). Stop it, or ${change}.`, 1, { cause: err });
  if (code === 'EACCES') return new CliError(`cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges); ${change}.`, 1, { cause: err });
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${host}:${port}: this machine has no such address; ${change}.`, 1, { cause: err });
  return err;
}
