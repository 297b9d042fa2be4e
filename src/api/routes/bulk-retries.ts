// Bulk retries as a server-side task: POST /v1/bulk-retries { filter } answers 202 with the task,
// which a background runner (bulk-retry-runner.ts) works through in batches; GET reads its
// progress; DELETE (or POST .../cancel) asks it to stop after the current batch. The task lives in
// the store, so a restart resumes it. The filter is the deliveries list's, so "retry all matching"
// means exactly what the list shows; tenant keys act on their own tenant's deliveries only.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HookdError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../core/types.js';
import type { BulkRetry } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { tenantFilter, principalOf } from '../auth.js';
import { parseTime } from '../cursor.js';
import { iso } from '../render.js';
import { idParams, isoDate } from '../schemas/common.js';
import { BULK_LEASE_MS, createBulkRetryRunner } from './bulk-retry-runner.js';
import { BulkRetryModel } from '../../wire/index.js';
import { responses } from '../responses.js';


export function renderBulkRetry(t: BulkRetry): Record<string, unknown> {
  const f = t.filter;
  return {
    id: t.id,
    status: t.status,
    filter: { status: f.status ?? null, endpoint: f.endpointId ?? null, event: f.eventId ?? null, type: f.eventType ?? null, since: iso(f.since ?? null), until: iso(f.until ?? null) },
    total: t.total,
    processed: t.processed,
    requeued: t.requeued,
    skipped: t.skipped,
    cancelRequested: t.cancelRequested,
    error: t.error,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
    finishedAt: iso(t.finishedAt),
  };
}

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'The filters of GET /v1/deliveries; {} matches every delivery the key can see.',
  properties: {
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    endpoint: { type: 'string', minLength: 1, maxLength: 128 },
    event: { type: 'string', minLength: 1, maxLength: 128 },
    type: { type: 'string', minLength: 1, maxLength: 128 },
    since: isoDate,
    until: isoDate,
  },
} as const;

export function registerBulkRetryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const runner = createBulkRetryRunner({ store: ctx.store, wake: () => ctx.dispatcher.wake(), now: ctx.now, logger: app.log });
  // Resume what a previous process left running; on close, stop after the batch and give it back.
  // While running, look again every lease length: a task whose process died while others live is
  // taken over once its lease has expired, not only when some process restarts.
  const resume = (): Promise<void> => runner.resumeAll().catch((err: unknown) => app.log.error({ err }, 'could not resume bulk retries'));
  let rescan: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    await resume();
    rescan = setInterval(() => void resume(), BULK_LEASE_MS);
    rescan.unref();
  });
  app.addHook('onClose', async () => {
    if (rescan) clearInterval(rescan);
    await runner.stop();
  });

  app.post(
    '/v1/bulk-retries',
    { schema: { response: responses({ 202: BulkRetryModel }), tags: ['deliveries'], summary: 'Retry every delivery matching a filter, as one background task (202 with the task)', body: { type: 'object', additionalProperties: false, required: ['filter'], properties: { filter: filterSchema } } } },
    async (request, reply) => {
      const { filter } = request.body as { filter: { status?: DeliveryStatus; endpoint?: string; event?: string; type?: string; since?: string; until?: string } };
      const since = parseTime(filter.since, 'since');
      const until = parseTime(filter.until, 'until');
      if (since !== undefined && until !== undefined && until <= since) throw new HookdError('validation_failed', 'until must be after since.', { errors: [{ path: '/body/filter/until', message: 'must be after since' }] });
      const principal = principalOf(request);
      const now = ctx.now();
      const task: BulkRetry = {
        id: newId('bulkRetry'),
        // A tenant key's task touches only its tenant; an admin's, every tenant (null).
        tenant: tenantFilter(principal) ?? null,
        filter: { status: filter.status, endpointId: filter.endpoint, eventId: filter.event, eventType: filter.type, since, until },
        status: 'running',
        total: null,
        processed: 0,
        requeued: 0,
        skipped: 0,
        cursor: null,
        cancelRequested: false,
        owner: null,
        leaseExpiresAt: null,
        error: null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
      };
      await ctx.store.insertBulkRetry(task);
      runner.run(task.id);
      return reply.code(202).header('location', `/v1/bulk-retries/${task.id}`).send(renderBulkRetry(task));
    },
  );

  app.get('/v1/bulk-retries/:id', { schema: { response: responses({ 200: BulkRetryModel }), tags: ['deliveries'], summary: "A bulk retry's progress", params: idParams() } }, async (request) => {
    const { id } = request.params as { id: string };
    const task = await ctx.store.getBulkRetry(id, tenantFilter(principalOf(request)));
    if (!task) throw new HookdError('not_found', `No bulk retry ${id}.`);
    return renderBulkRetry(task);
  });

  const cancel = async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const task = await ctx.store.cancelBulkRetry(id, tenantFilter(principalOf(request)), ctx.now());
    if (!task) throw new HookdError('not_found', `No bulk retry ${id}.`);
    // If no live process holds the task (its owner died), this one takes it and ends it at once;
    // otherwise its runner stops after the current batch.
    if (task.status === 'running') runner.run(task.id);
    // 202: the runner stops after its current batch; a finished task is returned as it is.
    return reply.code(task.status === 'running' ? 202 : 200).send(renderBulkRetry(task));
  };
  app.delete('/v1/bulk-retries/:id', { schema: { response: responses({ 200: BulkRetryModel, 202: BulkRetryModel }), tags: ['deliveries'], summary: 'Cancel a bulk retry (it stops after the current batch)', params: idParams() } }, cancel);
  app.post('/v1/bulk-retries/:id/cancel', { schema: { response: responses({ 200: BulkRetryModel, 202: BulkRetryModel }), tags: ['deliveries'], summary: 'Cancel a bulk retry (same as DELETE)', params: idParams() } }, cancel);
}
