// Which API routes change something, and what the audit log calls each change. The audit hook
// (registerAuditHook) prepares one record per request of an audited route; the store writes it in
// the transaction of the change (core/audit.ts). Every POST/PUT/PATCH/DELETE under /v1 must be in
// AUDITED_ROUTES or NOT_AUDITED (with the reason): test/audit-every-route.test.ts walks
// /openapi.json and fails on a route in neither, so a route added later is audited or argued for.
// Reads that reveal a secret are audited too (REVEAL_ROUTES).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clearPendingAudit, holdAuditScope, redactForAudit, runInAuditScope, takePendingAudit, type AuditRecord } from '../core/audit.js';
import { newId } from '../core/ids.js';
import type { Principal } from '../core/types.js';
import type { Store } from '../store/store.js';

/** `METHOD /registered/:path` -> action. */
export const AUDITED_ROUTES: Readonly<Record<string, string>> = {
  'POST /v1/endpoints': 'endpoint.create',
  'PATCH /v1/endpoints/:id': 'endpoint.update',
  'DELETE /v1/endpoints/:id': 'endpoint.delete',
  'POST /v1/endpoints/:id/rotate-secret': 'endpoint.secret.rotate',
  'POST /v1/endpoints/:id/recover': 'endpoint.recover',
  'POST /v1/bulk-retries': 'bulk_retry.create',
  'DELETE /v1/bulk-retries/:id': 'bulk_retry.delete',
  'POST /v1/bulk-retries/:id/cancel': 'bulk_retry.cancel',
  'POST /v1/deliveries/:id/retry': 'delivery.retry',
  'PUT /v1/event-types/:name': 'event_type.put',
  'DELETE /v1/event-types/:name': 'event_type.delete',
  'POST /v1/api-keys': 'api_key.create',
  'DELETE /v1/api-keys/:id': 'api_key.revoke',
  'POST /v1/signing-keys/rotate': 'signing_key.rotate',
  'POST /v1/sources': 'source.create',
  'PATCH /v1/sources/:id': 'source.update',
  'DELETE /v1/sources/:id': 'source.delete',
  'POST /v1/sources/:id/requests/:requestId/replay': 'source.request.replay',
  'POST /v1/bins': 'bin.create',
  'PATCH /v1/bins/:id': 'bin.update',
  'DELETE /v1/bins/:id': 'bin.delete',
  'POST /v1/portal-links': 'portal_link.create',
  'DELETE /v1/portal-links/:id': 'portal_link.revoke',
  // Who opened a session with which link, and when: a single-use link's record sits in the
  // transaction that consumes it.
  'POST /v1/portal/session': 'portal_link.exchange',
  'POST /v1/endpoints/:id/ordering/retry': 'endpoint.ordering.retry',
  'POST /v1/endpoints/:id/ordering/skip': 'endpoint.ordering.skip',
  'POST /v1/endpoints/:id/ordering/release': 'endpoint.ordering.release',
  'POST /v1/alerts/channels': 'alert_channel.create',
  'PATCH /v1/alerts/channels/:id': 'alert_channel.update',
  'DELETE /v1/alerts/channels/:id': 'alert_channel.delete',
  'POST /v1/alerts/rules': 'alert_rule.create',
  'PATCH /v1/alerts/rules/:id': 'alert_rule.update',
  'DELETE /v1/alerts/rules/:id': 'alert_rule.delete',
};

/**
 * Reads that hand out a secret: who saw it matters as much as who changed it. Audited like a change,
 * the record written before the answer leaves (no record, no secret) and never holding the secret
 * (only the request is recorded). test/audit-every-route.test.ts calls each and checks the record.
 */
export const REVEAL_ROUTES: Readonly<Record<string, string>> = {
  'GET /v1/endpoints/:id/secret': 'endpoint.secret_reveal',
};

/** Mutating routes that change no configuration or state an operator sets, and why. */
export const NOT_AUDITED: Readonly<Record<string, string>> = {
  'POST /v1/events': 'publishing is the product, not a change of set-up; the event itself is the record',
  'POST /v1/events/batch': 'publishing, as POST /v1/events',
  'POST /v1/endpoints/:id/test': 'a test send: recorded as its own event and delivery',
  'POST /v1/endpoints/:id/diagnose': 'the doctor only reads and probes',
  'POST /v1/diagnose': 'the doctor only reads and probes',
  'POST /v1/diagnose/payload': 'checks a payload, stores nothing',
  'POST /v1/bins/:id/requests/:requestId/replay': 'sends a captured request to a URL; changes nothing stored',
  'POST /v1/filters/test': 'evaluates a filter against an example event, stores nothing',
  'POST /v1/endpoints/:id/transform/test': 'runs a transform on an example event in the sandbox, stores nothing',
  'POST /v1/alerts/channels/:id/test': 'a test notification: sends to the channel, stores nothing',
};

export function routeKey(method: string, url: string | undefined): string {
  return `${method.toUpperCase()} ${url ?? ''}`;
}

function actorOf(principal: Principal): Pick<AuditRecord, 'actorKind' | 'actorId' | 'actorName'> {
  if (principal.keyId.startsWith('portal:')) return { actorKind: 'portal', actorId: principal.keyId, actorName: null };
  if (principal.keyId === 'key_env_admin') return { actorKind: 'admin_key', actorId: principal.keyId, actorName: 'HOOKD_ADMIN_KEY' };
  return { actorKind: 'api_key', actorId: principal.keyId, actorName: principal.keyName ?? null };
}

function tenantOf(principal: Principal, body: unknown): string | null {
  if (principal.role !== 'admin') return principal.tenant;
  const named = body !== null && typeof body === 'object' ? (body as { tenant?: unknown }).tenant : undefined;
  return typeof named === 'string' ? named : null;
}

/**
 * preHandler (after authentication and validation): an audited route's request gets its pending
 * record. Only a change that commits writes it, so a refused request (4xx) leaves nothing.
 */
export function registerAuditHook(app: FastifyInstance, now: () => number, store: () => Store): void {
  // Each audited request's hold on the audit scope (core/audit.ts keeps the scope off between them).
  const holds = new WeakMap<FastifyRequest, () => void>();
  const release = (request: FastifyRequest): void => {
    holds.get(request)?.();
    holds.delete(request);
  };
  // A callback hook, not an async one: the rest of the request's handling (`done` runs the next hook
  // and the handler) must run inside the scope (runInAuditScope says why it is not entered in place).
  app.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    const key = routeKey(request.method, request.routeOptions.url);
    const action = AUDITED_ROUTES[key] ?? REVEAL_ROUTES[key];
    if (action === undefined || !request.principal) return done();
    // A throw while the record is built fails the request: Fastify's hook runner catches it.
    const params = (request.params ?? {}) as Record<string, unknown>;
    const target = typeof params.id === 'string' ? params.id : typeof params.name === 'string' ? params.name : null;
    const record: AuditRecord = {
      id: newId('audit'),
      at: now(),
      ...actorOf(request.principal),
      tenant: tenantOf(request.principal, request.body),
      requestId: request.id,
      action,
      target,
      diff: redactForAudit({ params: request.params ?? {}, query: request.query ?? {}, body: request.body ?? null }),
    };
    holds.set(request, holdAuditScope());
    runInAuditScope(record, done);
  });
  // An accepted action that changed no row (cancelling a finished bulk retry, a recover with nothing
  // to re-queue) is still an operator's action: recorded on its own before the answer goes out. A
  // refused one (4xx/5xx) leaves nothing.
  // The hold ends here, not when the socket closes: a client that hangs up mid-request does not stop
  // its handler, and a change that still commits must still find its record. Background work the
  // request started finds no pending record either way.
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      if (reply.statusCode < 400) await recordStandaloneAudit(store());
      else clearPendingAudit();
    } finally {
      release(request);
    }
    return payload;
  });
  // Nothing pending may outlive the request; a reply that never reached onSend releases here.
  app.addHook('onResponse', async (request) => {
    clearPendingAudit();
    release(request);
  });
}

/** For a change that touches no table (a portal link is a signed token): write the record alone. */
export async function recordStandaloneAudit(store: Store): Promise<void> {
  const record = takePendingAudit();
  if (record) await store.recordAudit(record);
}
