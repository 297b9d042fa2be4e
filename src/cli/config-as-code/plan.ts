// The diff of `hookd plan` and `hookd apply`: what the file declares against what the server has,
// as a list of changes. Pure (no I/O), so every rule below has a unit test (plan.test.ts).
//
// Identity across applies (docs/operations.md, "Configuration as code"):
//   event types  by name
//   endpoints    by tenant + url (an endpoint has no name; a new URL is a new endpoint)
//   sources      by tenant + name
//   API keys     by name (keys without a name are never touched); a changed tenant replaces the
//                key (keys cannot be re-scoped), and the key this CLI runs with is never revoked.
//
// Fields: a field the file leaves out is not managed (the server keeps its value), so a file that
// names only an endpoint's URL keeps whatever was set elsewhere. Secrets are write-only on the
// server (answers show "[redacted]"), so they cannot be compared: a secret value is sent when the
// object is created, or together with a change of the non-secret fields it belongs to (auth,
// verify, headers), never on its own. That keeps a second apply a no-op.

import type { ConfigFile, DeclaredApiKey, DeclaredEndpoint, DeclaredEventType, DeclaredSource } from './config-file.js';
import { endpointKey, sourceKey } from './identity.js';

export type Kind = 'eventType' | 'endpoint' | 'source' | 'apiKey';
export type Action = 'create' | 'update' | 'replace' | 'delete';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Change {
  action: Action;
  kind: Kind;
  /** The identity shown to people: "chat.started", "https://crm.example/hooks (tenant acme)". */
  label: string;
  /** The server's id of the object changed (null when creating). */
  id: string | null;
  fields: FieldChange[];
  /** What apply sends: the POST/PUT/PATCH body (none for delete). */
  body?: Record<string, unknown>;
}

/** The server's objects as the API lists them (the fields plan reads). */
export interface CurrentState {
  eventTypes: Array<{ name: string; description: string | null; schema: unknown; example: unknown }>;
  endpoints: Array<Record<string, unknown> & { id: string; url: string; tenant: string | null }>;
  sources: Array<Record<string, unknown> & { id: string; name: string; tenant: string | null }>;
  apiKeys: Array<{ id: string; name: string | null; tenant: string | null; role: string; prefix?: string; revokedAt?: string | null }>;
}

export interface PlanOptions {
  prune: boolean;
  /** The first 10 characters of the API key in use: that key is never revoked by --prune. */
  ownKeyPrefix?: string;
}

export const REDACTED = '[redacted]';

const AUTH_SECRETS = ['password', 'token', 'value', 'clientSecret', 'key'];
const VERIFY_SECRETS = ['secret', 'value', 'token', 'password'];
const HEADER_NAME_MEMBERS = ['header', 'name'];
const ENDPOINT_FIELDS = ['description', 'eventTypes', 'auth', 'headers', 'timeoutMs', 'rateLimitPerSecond', 'maxConcurrency', 'retrySchedule', 'payloadFormat', 'signing', 'enabled'] as const;
const SOURCE_FIELDS = ['verify', 'allowIps', 'eventType', 'maxBodyBytes'] as const;

/** JSON equality that ignores the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A declared secret-bearing object (auth, verify) against the server's redacted one: each member
 * the file names must match, except secrets, which need only be present (their values cannot be
 * read back). Members the file leaves out are the server's defaults (a generated secret, the
 * default tolerance) and are not compared.
 */
function sameWithoutSecrets(declared: Record<string, unknown>, current: unknown, secrets: readonly string[]): boolean {
  const cur = (current && typeof current === 'object' ? current : {}) as Record<string, unknown>;
  return Object.entries(declared).every(([k, v]) => {
    if (v === undefined) return true;
    if (secrets.includes(k)) return cur[k] !== undefined && cur[k] !== null;
    // Header names are case-insensitive (the server keeps them in lower case).
    if (HEADER_NAME_MEMBERS.includes(k) && typeof v === 'string' && typeof cur[k] === 'string') return v.toLowerCase() === cur[k].toLowerCase();
    return sameJson(v, cur[k] ?? null);
  });
}

/** Headers: the names must match; a value the server redacts (a credential-like name) is not compared. */
function sameHeaders(declared: Record<string, string>, current: unknown): boolean {
  const cur = (current && typeof current === 'object' ? current : {}) as Record<string, string>;
  const lower = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
  const d = lower(declared);
  const c = lower(cur);
  if (!sameJson(Object.keys(d).sort(), Object.keys(c).sort())) return false;
  return Object.entries(d).every(([k, v]) => c[k] === REDACTED || c[k] === v);
}

/** What a change shows of a value: secrets never (the file's resolved values are in clear). */
function shown(field: string, value: unknown): unknown {
  if (field === 'auth' || field === 'verify') {
    const secrets = field === 'auth' ? AUTH_SECRETS : VERIFY_SECRETS;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secrets.includes(k) && v !== null ? REDACTED : v]));
  }
  if (field === 'headers' && value && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((k) => [k, '…']));
  if (field === 'secret') return REDACTED;
  return value;
}

const tenantLabel = (tenant: string | null): string => (tenant === null ? '' : ` (tenant ${tenant})`);

function planEventTypes(declared: DeclaredEventType[], current: CurrentState['eventTypes'], prune: boolean): Change[] {
  const changes: Change[] = [];
  const byName = new Map(current.map((t) => [t.name, t]));
  for (const d of declared) {
    const cur = byName.get(d.name);
    byName.delete(d.name);
    const fields: FieldChange[] = [];
    for (const f of ['description', 'schema', 'example'] as const) {
      if (d[f] === undefined) continue;
      const from = cur ? (cur[f] ?? null) : null;
      if (!cur || !sameJson(d[f] ?? null, from)) fields.push({ field: f, from, to: d[f] ?? null });
    }
    if (cur && fields.length === 0) continue;
    // PUT replaces the whole type: members the file leaves out keep the server's value.
    const body = { description: d.description !== undefined ? d.description : (cur?.description ?? null), schema: d.schema !== undefined ? d.schema : (cur?.schema ?? null), example: d.example !== undefined ? d.example : (cur?.example ?? null) };
    if (body.example === null) delete (body as { example?: unknown }).example;
    changes.push({ action: cur ? 'update' : 'create', kind: 'eventType', label: d.name, id: d.name, fields, body });
  }
  if (prune) for (const t of byName.values()) changes.push({ action: 'delete', kind: 'eventType', label: t.name, id: t.name, fields: [] });
  return changes;
}

function endpointFieldSame(field: (typeof ENDPOINT_FIELDS)[number], d: DeclaredEndpoint, cur: Record<string, unknown>): boolean {
  const want = d[field];
  const have = cur[field];
  switch (field) {
    case 'auth':
      return sameWithoutSecrets(want as Record<string, unknown>, have, AUTH_SECRETS);
    case 'headers':
      return sameHeaders(want as Record<string, string>, have);
    case 'eventTypes':
      // An order-free set on the server; null and "every type" are the same thing.
      return sameJson(want === null ? null : [...(want as string[])].sort(), have === null || have === undefined ? null : [...(have as string[])].sort());
    case 'signing':
      return (have ?? 'hmac') === want;
    default:
      return sameJson(want ?? null, have ?? null);
  }
}

function planEndpoints(declared: DeclaredEndpoint[], current: CurrentState['endpoints'], prune: boolean): Change[] {
  const changes: Change[] = [];
  const byKey = new Map<string, CurrentState['endpoints'][number]>();
  // Oldest first wins when the server has two endpoints with the same tenant and URL; the other is
  // "not named by the file" (pruned with --prune).
  for (const e of current) if (!byKey.has(endpointKey(e))) byKey.set(endpointKey(e), e);
  const named = new Set<string>();
  for (const d of declared) {
    const key = endpointKey(d);
    const cur = byKey.get(key);
    const label = `${d.url}${tenantLabel(d.tenant)}`;
    if (!cur) {
      const body: Record<string, unknown> = { url: d.url };
      if (d.tenant !== null) body.tenant = d.tenant;
      for (const f of [...ENDPOINT_FIELDS, 'secret'] as const) if (d[f] !== undefined) body[f] = d[f];
      const fields = Object.entries(body).map(([field, to]) => ({ field, from: null, to: shown(field, to) }));
      changes.push({ action: 'create', kind: 'endpoint', label, id: null, fields, body });
      continue;
    }
    named.add(cur.id);
    const body: Record<string, unknown> = {};
    const fields: FieldChange[] = [];
    for (const f of ENDPOINT_FIELDS) {
      if (d[f] === undefined || endpointFieldSame(f, d, cur)) continue;
      body[f] = d[f];
      fields.push({ field: f, from: shown(f, cur[f] ?? null), to: shown(f, d[f]) });
    }
    if (fields.length > 0) changes.push({ action: 'update', kind: 'endpoint', label, id: cur.id, fields, body });
  }
  if (prune) for (const e of current) if (!named.has(e.id)) changes.push({ action: 'delete', kind: 'endpoint', label: `${e.url}${tenantLabel(e.tenant)}`, id: e.id, fields: [] });
  return changes;
}

function planSources(declared: DeclaredSource[], current: CurrentState['sources'], prune: boolean): Change[] {
  const changes: Change[] = [];
  const byKey = new Map<string, CurrentState['sources'][number]>();
  for (const s of current) if (!byKey.has(sourceKey(s))) byKey.set(sourceKey(s), s);
  const named = new Set<string>();
  for (const d of declared) {
    const cur = byKey.get(sourceKey(d));
    const label = `${d.name}${tenantLabel(d.tenant)}`;
    if (!cur) {
      const body: Record<string, unknown> = { name: d.name, verify: d.verify };
      if (d.tenant !== null) body.tenant = d.tenant;
      for (const f of SOURCE_FIELDS) if (d[f] !== undefined) body[f] = d[f];
      changes.push({ action: 'create', kind: 'source', label, id: null, fields: Object.entries(body).map(([field, to]) => ({ field, from: null, to: shown(field, to) })), body });
      continue;
    }
    named.add(cur.id);
    const body: Record<string, unknown> = {};
    const fields: FieldChange[] = [];
    for (const f of SOURCE_FIELDS) {
      if (d[f] === undefined) continue;
      const same = f === 'verify' ? sameWithoutSecrets(d.verify, cur.verify, VERIFY_SECRETS) : sameJson(d[f] ?? null, cur[f] ?? null);
      if (same) continue;
      body[f] = d[f];
      fields.push({ field: f, from: shown(f, cur[f] ?? null), to: shown(f, d[f]) });
    }
    if (fields.length > 0) changes.push({ action: 'update', kind: 'source', label, id: cur.id, fields, body });
  }
  if (prune) for (const s of current) if (!named.has(s.id)) changes.push({ action: 'delete', kind: 'source', label: `${s.name}${tenantLabel(s.tenant)}`, id: s.id, fields: [] });
  return changes;
}

function planApiKeys(declared: DeclaredApiKey[], current: CurrentState['apiKeys'], options: PlanOptions): Change[] {
  const changes: Change[] = [];
  const active = current.filter((k) => !k.revokedAt && k.name !== null);
  const byName = new Map<string, CurrentState['apiKeys'][number]>();
  for (const k of active) if (!byName.has(k.name!)) byName.set(k.name!, k);
  const named = new Set<string>();
  const scope = (tenant: string | null) => (tenant === null ? 'admin' : `tenant ${tenant}`);
  for (const d of declared) {
    const cur = byName.get(d.name);
    const body: Record<string, unknown> = { name: d.name };
    if (d.tenant !== null) body.tenant = d.tenant;
    if (!cur) {
      changes.push({ action: 'create', kind: 'apiKey', label: d.name, id: null, fields: [{ field: 'scope', from: null, to: scope(d.tenant) }], body });
      continue;
    }
    named.add(cur.id);
    if ((cur.tenant ?? null) !== d.tenant) {
      changes.push({ action: 'replace', kind: 'apiKey', label: d.name, id: cur.id, fields: [{ field: 'scope', from: scope(cur.tenant ?? null), to: scope(d.tenant) }], body });
    }
  }
  if (options.prune) {
    for (const k of active) {
      if (named.has(k.id)) continue;
      if (options.ownKeyPrefix !== undefined && k.prefix === options.ownKeyPrefix) continue;
      changes.push({ action: 'delete', kind: 'apiKey', label: k.name!, id: k.id, fields: [] });
    }
  }
  return changes;
}

/**
 * The changes that make the server match the file, in the order apply runs them: event types
 * first (endpoints and sources may name them), then endpoints, sources and keys; deletions of
 * endpoints and sources before those of event types.
 */
export function planChanges(file: ConfigFile, current: CurrentState, options: PlanOptions): Change[] {
  const all = [
    ...(file.eventTypes ? planEventTypes(file.eventTypes, current.eventTypes, options.prune) : []),
    ...(file.endpoints ? planEndpoints(file.endpoints, current.endpoints, options.prune) : []),
    ...(file.sources ? planSources(file.sources, current.sources, options.prune) : []),
    ...(file.apiKeys ? planApiKeys(file.apiKeys, current.apiKeys, options) : []),
  ];
  const deletesLast = (c: Change) => (c.action === 'delete' && c.kind === 'eventType' ? 1 : 0);
  return all.map((c, i) => ({ c, i })).sort((a, b) => deletesLast(a.c) - deletesLast(b.c) || a.i - b.i).map(({ c }) => c);
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

export function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) s[c.action]++;
  return s;
}

const KIND_WORD: Record<Kind, string> = { eventType: 'event type', endpoint: 'endpoint', source: 'source', apiKey: 'API key' };
const SIGN: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };

/** The plan as people read it, one block per change, values as JSON. */
export function formatPlan(changes: readonly Change[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`${SIGN[c.action]} ${KIND_WORD[c.kind]} ${c.label}${c.id && c.kind !== 'eventType' ? ` [${c.id}]` : ''}`);
    for (const f of c.fields) lines.push(c.action === 'create' ? `    ${f.field}: ${JSON.stringify(f.to)}` : `    ${f.field}: ${JSON.stringify(f.from)} -> ${JSON.stringify(f.to)}`);
  }
  const s = summarize(changes);
  lines.push(changes.length === 0 ? 'No changes: the server matches the file.' : `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`);
  return lines;
}
