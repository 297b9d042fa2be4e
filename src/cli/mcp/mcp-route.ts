// Streamable HTTP MCP at `/mcp` on `hookd serve`, behind an API key like /v1. Stateless: each POST
// is one JSON-RPC exchange with a fresh MCP server whose tools call this server's own API with the
// caller's key (so a tenant key sees only its tenant), in process (in-process-fetch.ts). Registered
// by the serve command because the tools live in the CLI layer.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { HookdError } from '../../core/errors.js';
import { HookdClient, Transport } from '../../client/index.js';
import { cliClientApi } from './cli-client-api.js';
import { IN_PROCESS_BASE_URL, inProcessFetch } from './in-process-fetch.js';
import { createHookdMcpServer } from './mcp-server.js';

export const MCP_PATH = '/mcp';

function bearerOf(request: FastifyRequest): string {
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new HookdError('unauthorized', 'Missing API key: send `Authorization: Bearer <api key>`.');
  return match[1]!;
}

export function registerMcpRoute(app: FastifyInstance): void {
  app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
    // The same check as /v1 (unknown or revoked keys: 401 problem+json) before any MCP work.
    await app.authenticator.authenticate(request);
    const transport = new Transport({ baseUrl: IN_PROCESS_BASE_URL, apiKey: bearerOf(request), fetch: inProcessFetch(app, request.ip), retries: 0 });
    const api = cliClientApi(new HookdClient(transport));
    // A real retry/recover still needs `execute: true` in the call, and the key's own rights.
    const server = createHookdMcpServer(api, { allowWrites: true });
    const rpc = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void rpc.close();
      void server.close();
    });
    await server.connect(rpc);
    await rpc.handleRequest(request.raw, reply.raw, request.body);
  });
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: MCP_PATH,
      schema: { hide: true },
      handler: async (_request, reply) => {
        void reply.header('allow', 'POST');
        throw new HookdError('method_not_allowed', 'The MCP endpoint is stateless: POST JSON-RPC messages.');
      },
    });
  }
}
