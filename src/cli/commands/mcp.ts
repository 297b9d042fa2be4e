// `hookd mcp`: an MCP server for agents (Claude, Cursor, ...) on stdio, with the server and key of
// the CLI's configuration; `hookd mcp --http --port 8808` serves streamable HTTP instead, where each
// request authenticates with its own hookd API key. Read only unless --allow-writes.

import type { Command } from 'commander';
import { clientFor, resolveSettings } from '../client.js';
import { CliError } from '../errors.js';
import { intOption } from '../input.js';

interface McpFlags {
  http?: boolean;
  host: string;
  port: number;
  allowWrites?: boolean;
}

export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('Run an MCP server (stdio; --http for streamable HTTP) with tools to look up, diagnose, sign, retry and recover')
    .option('--http', 'Serve streamable HTTP at /mcp instead of stdio; clients send Authorization: Bearer <hookd API key>')
    .option('--host <address>', 'Address for --http', '127.0.0.1')
    .option('--port <port>', 'Port for --http (0: any free port)', intOption(0, 65_535), 8808)
    .option('--allow-writes', 'Let retry_delivery and recover_endpoint run for real when called with execute: true')
    .action(async (opts: McpFlags, cmd: Command) => {
      const tools = { allowWrites: opts.allowWrites === true };
      // The MCP SDK loads only for this command: every other command keeps its quick start.
      const [{ cliClientApi }, { serveHttp, serveStdio }] = await Promise.all([import('../mcp/cli-client-api.js'), import('../mcp/mcp-server.js')]);
      if (!opts.http) {
        // stdout is the protocol: nothing else may be written to it.
        await serveStdio(cliClientApi(clientFor(cmd).api), tools);
        return;
      }
      // Only the server URL comes from the configuration; keys come with each request.
      const { url } = resolveSettings({ profile: cmd.optsWithGlobals<{ profile?: string }>().profile }, { HOOKD_API_KEY: 'unused', ...process.env });
      const served = await serveHttp(url, { ...tools, host: opts.host, port: opts.port }).catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, 1);
      });
      process.stderr.write(`hookd MCP (streamable HTTP) on ${served.url} for ${url}${tools.allowWrites ? ', writes allowed' : ', read only'}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await served.close();
    });
}
