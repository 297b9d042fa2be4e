// The hookd MCP server over its two transports: stdio (`hookd mcp`, the key from the CLI's
// configuration) and streamable HTTP (`hookd mcp --http`, stateless: every request brings its own
// `Authorization: Bearer <api key>`, which is checked with the hookd server and then used for every
// call of that request, so a tenant key sees only its tenant).

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { VERSION } from '../../runtime/version.js';
import { HookdClient, type ClientSettings } from '../client.js';
import { ApiError } from '../errors.js';
import { cliClientApi } from './cli-client-api.js';
import type { HookdApi } from './hookd-api.js';
import { registerHookdTools, type ToolOptions } from './tools.js';

export function createHookdMcpServer(api: HookdApi, options: ToolOptions): McpServer {
  const server = new McpServer({ name: 'hookd', version: VERSION }, { instructions: 'Tools to inspect and repair webhook deliveries of a hookd server. retry_delivery and recover_endpoint are dry runs unless execute: true.' });
  registerHookdTools(server, api, options);
  return server;
}

export async function serveStdio(api: HookdApi, options: ToolOptions): Promise<void> {
  const server = createHookdMcpServer(api, options);
  await server.connect(new StdioServerTransport());
}

const MAX_BODY = 2 * 1024 * 1024;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new RangeError('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new SyntaxError('malformed JSON'));
      }
    });
    req.on('error', reject);
  });
}

export interface HttpMcp {
  url: string;
  close(): Promise<void>;
}

/** JSON-RPC error answer outside any session (auth, bad body), as the transport would give. */
function rpcError(res: import('node:http').ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export async function serveHttp(hookdUrl: string, options: ToolOptions & { host: string; port: number; path?: string }): Promise<HttpMcp> {
  const path = options.path ?? '/mcp';
  const http: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://mcp');
      if (url.pathname !== path) return rpcError(res, 404, `not found: the MCP endpoint is ${path}`);
      if (req.method !== 'POST') return rpcError(res, 405, 'stateless server: POST JSON-RPC messages', { allow: 'POST' });
      const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(req.headers.authorization ?? '');
      if (!match) return rpcError(res, 401, 'send Authorization: Bearer <hookd API key>', { 'www-authenticate': 'Bearer realm="hookd"' });
      const settings: ClientSettings = { url: hookdUrl, apiKey: match[1]!, profile: null };
      const api = cliClientApi(new HookdClient(settings).api);
      try {
        await api.whoami();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return rpcError(res, 401, 'the hookd server refused this API key', { 'www-authenticate': 'Bearer realm="hookd"' });
        return rpcError(res, 502, `cannot check the key with the hookd server: ${(err as Error).message}`);
      }
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (err) {
        return rpcError(res, err instanceof RangeError ? 413 : 400, (err as Error).message);
      }
      const server = createHookdMcpServer(api, options);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    })().catch((err: unknown) => {
      if (!res.headersSent) rpcError(res, 500, (err as Error).message);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}${path}`,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
