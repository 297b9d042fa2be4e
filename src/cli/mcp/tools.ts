// The MCP tools of hookd: what an agent helping an integrator needs. Look-ups and checks are read
// only; retry and recover are dry runs unless called with `execute: true`, and even then only when the
// MCP server was started to allow it and the key may replay (an admin or tenant API key, not a
// read-only portal token). The hookd server still decides: a tenant key sees and retries only its
// tenant's deliveries, whatever a tool is asked.

import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { signatureHeader, verifyStandardWebhook } from '../../signature/index.js';
import type { DeliveryView, EndpointView } from '../api-types.js';
import { ApiError, CliError } from '../errors.js';
import type { HookdApi } from './hookd-api.js';

export interface ToolOptions {
  /** Whether `execute: true` may change anything (hookd mcp --allow-writes). */
  allowWrites: boolean;
}

/** Bounds on what a tool reads: an agent call must not page through a whole database. */
const MAX_PAGES = 20;

const id = z.string().min(1).max(128);

function result(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value }) as Record<string, unknown> };
}

function failure(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** API and CLI errors become tool errors the agent can read; anything else is a bug and rethrown. */
async function guarded(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError) return failure(`${err.title}: ${err.detail} (${err.code}, HTTP ${err.status})`);
    if (err instanceof CliError) return failure(err.message);
    if (err instanceof RangeError || err instanceof TypeError) return failure(err.message);
    throw err;
  }
}

async function mayWrite(api: HookdApi, options: ToolOptions): Promise<string | null> {
  if (!options.allowWrites) return 'This MCP server is read-only: start it with `hookd mcp --allow-writes` to let execute: true change anything.';
  const caller = await api.whoami();
  if (caller.portal === true) return 'A portal token cannot retry or recover; use an admin or tenant API key.';
  if (caller.role !== 'admin' && caller.role !== 'tenant') return `A ${String(caller.role)} key cannot retry or recover.`;
  return null;
}

export function registerHookdTools(server: McpServer, api: HookdApi, options: ToolOptions): void {
  server.registerTool(
    'get_event',
    { title: 'Look up an event', description: 'An event by id (evt_...) with its deliveries: status, attempts, last code.', inputSchema: { id }, annotations: { readOnlyHint: true } },
    ({ id: eventId }) => guarded(async () => result({ event: await api.getEvent(eventId), deliveries: (await api.eventDeliveries(eventId)).data })),
  );

  server.registerTool(
    'get_delivery',
    { title: 'Look up a delivery', description: 'A delivery by id (dlv_...) with its attempts (status, response code, duration, attempt code).', inputSchema: { id }, annotations: { readOnlyHint: true } },
    ({ id: deliveryId }) => guarded(async () => result(await api.getDelivery(deliveryId))),
  );

  server.registerTool(
    'list_failing_endpoints',
    { title: 'List failing endpoints', description: 'Endpoints that are disabled or currently failing (failingSince set), with the reason.', inputSchema: {}, annotations: { readOnlyHint: true } },
    () =>
      guarded(async () => {
        const failing: Array<Pick<EndpointView, 'id' | 'url' | 'tenant' | 'enabled' | 'disabledReason' | 'failingSince'>> = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await api.listEndpoints(cursor);
          for (const ep of page.data) if (!ep.enabled || ep.failingSince !== null) failing.push({ id: ep.id, url: ep.url, tenant: ep.tenant, enabled: ep.enabled, disabledReason: ep.disabledReason, failingSince: ep.failingSince });
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && ++pages < MAX_PAGES);
        return result({ endpoints: failing, complete: cursor === undefined });
      }),
  );

  server.registerTool(
    'run_doctor',
    { title: 'Run the doctor', description: "Diagnose an endpoint: address, DNS, TCP, TLS, HTTP, auth, payload, latency, logs; each check with a code and a fix.", inputSchema: { endpointId: id }, annotations: { readOnlyHint: true, openWorldHint: true } },
    ({ endpointId }) => guarded(async () => result(await api.diagnoseEndpoint(endpointId))),
  );

  server.registerTool(
    'check_payload',
    {
      title: 'Check a payload against its type',
      description: "JSON syntax (line and column), then the catalogued event type's JSON Schema.",
      inputSchema: { payload: z.string().max(1024 * 1024).describe('The payload as JSON text'), type: z.string().max(128).optional().describe('Event type, e.g. chat.started') },
      annotations: { readOnlyHint: true },
    },
    ({ payload, type }) => guarded(async () => result(await api.checkPayload(payload, type))),
  );

  server.registerTool(
    'sign_sample',
    {
      title: 'Sign a sample body',
      description: 'Standard Webhooks v1 headers (webhook-id, webhook-timestamp, webhook-signature) for a body and a whsec_ secret; computed locally.',
      inputSchema: { secret: z.string().min(1).max(512), body: z.string().max(1024 * 1024), id: z.string().min(1).max(256).optional(), timestamp: z.number().int().min(0).max(1e11).optional() },
      annotations: { readOnlyHint: true },
    },
    ({ secret, body, id: msgId, timestamp }) =>
      guarded(async () => {
        const webhookId = msgId ?? `msg_${randomUUID().replace(/-/g, '')}`;
        const ts = timestamp ?? Math.floor(Date.now() / 1000);
        return result({ 'webhook-id': webhookId, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([secret], webhookId, ts, Buffer.from(body, 'utf8')) });
      }),
  );

  server.registerTool(
    'verify_sample',
    {
      title: 'Verify a signature',
      description: 'Check webhook-signature over a body with a whsec_ secret (v1). Says why when it does not match.',
      inputSchema: {
        secret: z.string().min(1).max(512),
        body: z.string().max(1024 * 1024),
        id: z.string().min(1).max(256),
        timestamp: z.string().min(1).max(32),
        signature: z.string().min(1).max(8192),
        ignoreTimestamp: z.boolean().optional().describe('Verify as of the signed instant (old captures)'),
      },
      annotations: { readOnlyHint: true },
    },
    ({ secret, body, id: msgId, timestamp, signature, ignoreTimestamp }) =>
      guarded(async () => {
        const asOf = ignoreTimestamp && /^\d{1,12}$/.test(timestamp.trim()) ? Number(timestamp.trim()) * 1000 : undefined;
        const verdict = verifyStandardWebhook({
          secrets: [secret],
          body: Buffer.from(body, 'utf8'),
          headers: { 'webhook-id': msgId, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
          ...(asOf !== undefined ? { now: asOf } : {}),
        });
        return result(verdict);
      }),
  );

  server.registerTool(
    'retry_delivery',
    {
      title: 'Retry a delivery (dry run first)',
      description: 'Without execute: what a retry would do. With execute: true: re-send now (needs hookd mcp --allow-writes and an API key that may replay).',
      inputSchema: { id, execute: z.boolean().optional() },
      annotations: { destructiveHint: false, idempotentHint: false },
    },
    ({ id: deliveryId, execute }) =>
      guarded(async () => {
        const delivery = await api.getDelivery(deliveryId);
        if (execute !== true) {
          return result({ dryRun: true, delivery: summary(delivery), wouldDo: `re-send ${delivery.id} to endpoint ${delivery.endpointId} now with the same webhook-id (status now: ${delivery.status})`, next: 'call again with execute: true to do it' });
        }
        const refused = await mayWrite(api, options);
        if (refused) return failure(refused);
        return result({ dryRun: false, delivery: summary(await api.retryDelivery(deliveryId)) });
      }),
  );

  server.registerTool(
    'recover_endpoint',
    {
      title: "Recover an endpoint's failed deliveries (dry run first)",
      description: 'Without execute: count the failed and cancelled deliveries created in [since, until). With execute: true: re-queue them (needs hookd mcp --allow-writes and an API key that may replay).',
      inputSchema: { endpointId: id, since: z.string().datetime({ offset: true }), until: z.string().datetime({ offset: true }).optional(), execute: z.boolean().optional() },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    ({ endpointId, since, until, execute }) =>
      guarded(async () => {
        if (execute !== true) {
          const counts: Record<string, number> = {};
          let complete = true;
          const sample: string[] = [];
          for (const status of ['failed', 'cancelled']) {
            let cursor: string | undefined;
            let pages = 0;
            let n = 0;
            do {
              const page = await api.listDeliveries({ endpoint: endpointId, status, since, until, limit: 250, cursor });
              n += page.data.length;
              for (const d of page.data) if (sample.length < 10) sample.push(d.id);
              cursor = page.nextCursor ?? undefined;
            } while (cursor !== undefined && ++pages < MAX_PAGES);
            if (cursor !== undefined) complete = false;
            counts[status] = n;
          }
          return result({ dryRun: true, endpointId, since, until: until ?? null, wouldRequeue: counts, complete, sample, next: 'call again with execute: true to re-queue them' });
        }
        const refused = await mayWrite(api, options);
        if (refused) return failure(refused);
        return result({ dryRun: false, endpointId, ...(await api.recoverEndpoint(endpointId, since, until)) });
      }),
  );
}

function summary(d: DeliveryView): Record<string, unknown> {
  return { id: d.id, eventId: d.eventId, endpointId: d.endpointId, tenant: d.tenant, eventType: d.eventType, status: d.status, lastCode: d.lastCode, lastStatus: d.lastStatus, nextAttemptAt: d.nextAttemptAt };
}
