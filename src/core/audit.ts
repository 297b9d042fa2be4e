// The audit log: who changed what through the API. A record is prepared by the API before the
// change (its request's actor, tenant, request id and the requested change with secrets redacted)
// and handed to the store through this request-scoped context; the store writes it inside the
// transaction that makes the change, so a change and its record commit or roll back together. A
// transaction that changes nothing (a 404, a no-op) leaves no record. Background work (dispatcher,
// pruner) runs outside any request's context and is never attributed to one.

import { AsyncLocalStorage } from 'node:async_hooks';
import { CREDENTIAL_NAME } from './header-rules.js';

export type AuditActorKind = 'api_key' | 'admin_key' | 'portal';

export interface AuditRecord {
  id: string;
  at: number;
  actorKind: AuditActorKind;
  /** The API key id (key_...), `key_env_admin`, or the portal session (`portal:...`). */
  actorId: string;
  /** The key's name when it has one. */
  actorName: string | null;
  /** The tenant the change belongs to (the caller's for a tenant key; null: none or admin-wide). */
  tenant: string | null;
  requestId: string | null;
  /** What was done, `<thing>.<verb>` (endpoint.update, secret.rotate, ...). */
  action: string;
  /** The route's object id (ep_..., the event type's name), when it names one. */
  target: string | null;
  /**
   * The change as requested (params, query and body), secrets redacted; an update adds `changes`:
   * `{ field: { before, after } }` for each field it changes (noteAuditChanges).
   */
  diff: unknown;
}

interface AuditScope {
  pending: AuditRecord | null;
}

const scope = new AsyncLocalStorage<AuditScope>();

// The scope is switched on only while an audited request (or a runAuditScope call) is open. On
// Node.js 20 an enabled AsyncLocalStorage installs V8 promise hooks that run for every promise in the
// process, not just the audited request's: an await cost about three times as much with them on, and
// they were the second-largest source of garbage per paced delivery. Audited requests are
// configuration changes, rare beside publishes and deliveries, so the hooks are on only while one is
// in flight: the last one to end disables the scope, and the next run enables it again.
let open = 0;

/** A hold on the scope; the returned release may be called any number of times, the first counts. */
function holdScope(): () => void {
  open += 1;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    open -= 1;
    if (open === 0) scope.disable();
  };
}

/** How many audited requests (or runAuditScope calls) hold the scope now; 0 means it is off. */
export function openAuditScopes(): number {
  return open;
}

/** Run `fn` (a request's handling) with room for one pending audit record, until what it returns settles. */
export function runAuditScope<T>(fn: () => Promise<T>): Promise<T> {
  const release = holdScope();
  try {
    return scope.run({ pending: null }, fn).finally(release);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * Hold the scope for a request whose handling is a chain of callbacks (Fastify's hooks cannot wrap
 * the handler): the caller takes the hold first, then runs the rest of the chain (Fastify's `done`)
 * through runInAuditScope, and releases when the answer is being sent; until then the scope stays on
 * for every request. The hold comes first so a release from an answer sent at once still finds it.
 */
export function holdAuditScope(): () => void {
  return holdScope();
}

/**
 * Run `next` (the rest of a request's handling) in a scope of its own, `record` pending in it. Only
 * what `next` starts, the promises and resources it creates, carries the scope.
 *
 * Not enterWith: that writes the scope onto whatever resource happens to be running, and between
 * audited requests (the hooks off) that is Node's one top-level resource, which every continuation
 * awaited while the hooks were off resumes on. Work already under way (a bulk retry's loop, its
 * promises made with no scope) then read this request's scope when it resumed, and its next
 * transaction took the request's record (written with someone else's change, or not yet committed
 * when the answer went out). run() puts the resource's old scope back when `next` returns.
 */
export function runInAuditScope(record: AuditRecord, next: () => void): void {
  scope.run({ pending: record }, next);
}

/**
 * Run `fn` with no audit scope: work a request starts but that is not its change (a bulk retry's
 * loop, a tenant's signing keys created or rotated on first use, a publish batch other requests
 * join) must not carry the request's scope, or a transaction of theirs takes the request's record.
 * Free while the scope is off: run() would switch the promise hooks on with nobody holding them.
 */
export function outsideAuditScope<T>(fn: () => T): T {
  if (scope.getStore() === undefined) return fn();
  return scope.run(undefined as unknown as AuditScope, fn);
}

export function setPendingAudit(record: AuditRecord): void {
  const s = scope.getStore();
  if (s) s.pending = record;
}

/** The pending record, now owned by the caller (the store writing it), or null. */
export function takePendingAudit(): AuditRecord | null {
  const s = scope.getStore();
  if (!s || s.pending === null) return null;
  const record = s.pending;
  s.pending = null;
  return record;
}

/** Drop what was not written (the request changed nothing). */
export function clearPendingAudit(): void {
  const s = scope.getStore();
  if (s) s.pending = null;
}

/**
 * For an update: the before and after of each field the request changes, added to the pending
 * record's diff as `changes` (secrets redacted like the rest). `before` is the object as the API
 * answers it before the change, `requested` the fields as the request sets them; a field set to
 * what it already was is left out. Called before the store writes (the record is written then).
 */
export function noteAuditChanges(before: Readonly<Record<string, unknown>>, requested: Readonly<Record<string, unknown>>): void {
  const s = scope.getStore();
  if (!s || s.pending === null) return;
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const [field, after] of Object.entries(requested)) {
    if (after === undefined) continue;
    const was = before[field] ?? null;
    if (sameJson(was, after)) continue;
    changes[field] = { before: was, after };
  }
  const diff = s.pending.diff !== null && typeof s.pending.diff === 'object' ? s.pending.diff : {};
  s.pending.diff = { ...diff, changes: redactForAudit(changes) };
}

/** Deep equality of JSON values, member order aside. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function hasPendingAudit(): boolean {
  return scope.getStore()?.pending != null;
}

// Names whose values are secrets wherever they appear in a request: whsec_ secrets, source
// verification secrets, endpoint auth passwords and tokens, header values such as Authorization.
// Credential names (shared with the API's header masking), plus the members that hold a secret by position.
const SECRET_NAME = new RegExp(`${CREDENTIAL_NAME.source}|^key$|^value$`, 'i');
const SECRET_VALUE = /^(whsec_|hk_|sk_|Bearer\s|Basic\s)/i;

export const REDACTED = '[redacted]';

/** A copy of `value` with secret-named members and secret-looking strings replaced. */
export function redactForAudit(value: unknown, depth = 0): unknown {
  if (depth > 16) return REDACTED;
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redactForAudit(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) && v !== null && typeof v !== 'boolean' ? REDACTED : redactForAudit(v, depth + 1);
    return out;
  }
  return value;
}
