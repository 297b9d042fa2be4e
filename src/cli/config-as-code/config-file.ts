// The hookd.yaml file of `hookd apply|plan|export`: parsed with the `yaml` package, checked with
// errors by path ("endpoints[1].timeoutMs (line 14): must be an integer from 1000 to 60000"), and
// `${env:NAME}` references replaced by the environment's values.
//
// The check here is about the file's shape and the identity fields (what plan.ts matches on); the
// server still validates every value when apply sends it, so this does not repeat every limit of
// the API's schemas, only those a typo most often breaks.

import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { endpointKey, sourceKey } from './identity.js';

export interface DeclaredEventType {
  name: string;
  description?: string | null;
  schema?: Record<string, unknown> | null;
  example?: unknown;
}

export interface DeclaredEndpoint {
  url: string;
  tenant: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  auth?: Record<string, unknown>;
  headers?: Record<string, string>;
  timeoutMs?: number;
  rateLimitPerSecond?: number | null;
  maxConcurrency?: number;
  retrySchedule?: number[] | null;
  payloadFormat?: string;
  signing?: string;
  enabled?: boolean;
  /** The signing secret: used when the endpoint is created only (rotation has its own command). */
  secret?: string;
}

export interface DeclaredSource {
  name: string;
  tenant: string | null;
  verify: Record<string, unknown>;
  allowIps?: string[] | null;
  eventType?: unknown;
  maxBodyBytes?: number | null;
}

export interface DeclaredApiKey {
  name: string;
  /** null: an admin key. */
  tenant: string | null;
}

/** A section left out of the file is not managed at all (not even by --prune); `[]` means "none". */
export interface ConfigFile {
  eventTypes?: DeclaredEventType[];
  endpoints?: DeclaredEndpoint[];
  sources?: DeclaredSource[];
  apiKeys?: DeclaredApiKey[];
}

export const CONFIG_VERSION = 1;

export interface ConfigProblem {
  /** e.g. `endpoints[1].auth.type` */
  path: string;
  line: number | null;
  message: string;
}

export class ConfigFileError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigFileError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.path === '' ? '(file)' : p.path}${p.line === null ? '' : ` (line ${p.line})`}: ${p.message}`;
}

type Path = Array<string | number>;

export function pathText(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

const NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const TENANT = /^[A-Za-z0-9_.:@-]{1,128}$/;
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

const AUTH_TYPES = ['none', 'basic', 'bearer', 'header', 'oauth2', 'mtls'];
const VERIFY_SCHEMES = ['standard-webhooks', 'stripe', 'github', 'shopify', 'hmac', 'api-key', 'bearer', 'basic', 'none'];

class Checker {
  readonly problems: ConfigProblem[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  fail(path: Path, message: string): void {
    this.problems.push({ path: pathText(path), line: this.lineOf(path), message });
  }

  /** The line of the closest node the path reaches (the value itself, else its nearest parent). */
  private lineOf(path: Path): number | null {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return this.lines.linePos(range[0]).line;
    }
    return null;
  }

  /** Every string in the value with `${env:NAME}` replaced; a missing variable is a problem. */
  resolve(value: unknown, path: Path): unknown {
    if (typeof value === 'string') {
      return value.replace(ENV_REF, (_, name: string) => {
        const v = this.env[name];
        if (v === undefined) {
          this.fail(path, `the environment variable ${name} is not set`);
          return '';
        }
        return v;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => this.resolve(v, [...path, i]));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.resolve(v, [...path, k]);
      return out;
    }
    return value;
  }

  object(value: unknown, path: Path, allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> | null {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, 'must be a mapping (key: value lines)');
      return null;
    }
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.fail([...path, k], `unknown field (expected one of: ${allowed.join(', ')})`);
    for (const k of required) if (obj[k] === undefined || obj[k] === null) this.fail([...path, k], 'is required');
    return obj;
  }

  list(value: unknown, path: Path): unknown[] {
    if (value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, 'must be a list (lines starting with "- ")');
      return [];
    }
    return value;
  }

  string(obj: Record<string, unknown>, key: string, path: Path, options: { pattern?: RegExp; max?: number; nullable?: boolean; what?: string } = {}): void {
    const v = obj[key];
    if (v === undefined || (v === null && options.nullable)) return;
    if (typeof v !== 'string' || v === '') {
      this.fail([...path, key], `must be a non-empty string${options.nullable ? ' or null' : ''}`);
      return;
    }
    if (options.max !== undefined && v.length > options.max) this.fail([...path, key], `must be at most ${options.max} characters`);
    if (options.pattern && !options.pattern.test(v)) this.fail([...path, key], `must be ${options.what ?? `of the form ${options.pattern.source}`}`);
  }

  integer(obj: Record<string, unknown>, key: string, path: Path, min: number, max: number, nullable = false): void {
    const v = obj[key];
    if (v === undefined || (v === null && nullable)) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail([...path, key], `must be an integer from ${min} to ${max}${nullable ? ' (or null)' : ''}`);
  }

  boolean(obj: Record<string, unknown>, key: string, path: Path): void {
    const v = obj[key];
    if (v !== undefined && typeof v !== 'boolean') this.fail([...path, key], 'must be true or false');
  }

  oneOf(obj: Record<string, unknown>, key: string, path: Path, values: readonly string[]): void {
    const v = obj[key];
    if (v !== undefined && (typeof v !== 'string' || !values.includes(v))) this.fail([...path, key], `must be one of: ${values.join(', ')}`);
  }

  stringList(obj: Record<string, unknown>, key: string, path: Path, pattern: RegExp, what: string, nullable = true): void {
    const v = obj[key];
    if (v === undefined || (v === null && nullable)) return;
    if (!Array.isArray(v)) {
      this.fail([...path, key], `must be a list${nullable ? ' or null' : ''}`);
      return;
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string' || !pattern.test(item)) this.fail([...path, key, i], `must be ${what}`);
    });
  }

  stringMap(obj: Record<string, unknown>, key: string, path: Path): void {
    const v = obj[key];
    if (v === undefined) return;
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      this.fail([...path, key], 'must be a mapping of names to strings');
      return;
    }
    for (const [k, item] of Object.entries(v)) if (typeof item !== 'string') this.fail([...path, key, k], 'must be a string');
  }

  /** A `tagged` union member: `{ <tag>: one of values, ...string fields }`. */
  tagged(obj: Record<string, unknown>, key: string, path: Path, tag: string, values: readonly string[], required: boolean): void {
    const v = obj[key];
    if (v === undefined) {
      if (required) this.fail([...path, key], 'is required');
      return;
    }
    const inner = this.object(v, [...path, key], Object.keys(v ?? {}), [tag]);
    if (!inner) return;
    if (inner[tag] !== undefined) this.oneOf(inner, tag, [...path, key], values);
  }
}

/** Parse and check a hookd.yaml text; throws ConfigFileError with every problem found. */
export function parseConfigFile(text: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigFileError(doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: `not valid YAML: ${e.message.split('\n')[0]}` })));
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new ConfigFileError([{ path: '', line: 1, message: 'must be a mapping with version, eventTypes, endpoints, sources and apiKeys' }]);
  const c = new Checker(doc, lines, env);
  const raw = c.resolve(doc.toJS({ maxAliasCount: 100 }) ?? {}, []);
  const top = c.object(raw, [], ['version', 'eventTypes', 'endpoints', 'sources', 'apiKeys']);
  const out: ConfigFile = {};
  if (!top) throw new ConfigFileError(c.problems);
  if (top.version !== undefined && top.version !== CONFIG_VERSION) c.fail(['version'], `must be ${CONFIG_VERSION} (the only version of this format)`);

  if (top.eventTypes !== undefined) {
    out.eventTypes = c.list(top.eventTypes, ['eventTypes']).map((item, i) => {
      const p: Path = ['eventTypes', i];
      const o = c.object(item, p, ['name', 'description', 'schema', 'example'], ['name']) ?? {};
      c.string(o, 'name', p, { pattern: NAME, what: 'an event type name (letters, digits, _ . -; up to 128)' });
      c.string(o, 'description', p, { max: 2048, nullable: true });
      if (o.schema !== undefined && o.schema !== null && (typeof o.schema !== 'object' || Array.isArray(o.schema))) c.fail([...p, 'schema'], 'must be a JSON Schema object (or null)');
      return o as unknown as DeclaredEventType;
    });
  }

  if (top.endpoints !== undefined) {
    out.endpoints = c.list(top.endpoints, ['endpoints']).map((item, i) => {
      const p: Path = ['endpoints', i];
      const o =
        c.object(
          item,
          p,
          ['url', 'tenant', 'description', 'eventTypes', 'auth', 'headers', 'timeoutMs', 'rateLimitPerSecond', 'maxConcurrency', 'retrySchedule', 'payloadFormat', 'signing', 'enabled', 'secret'],
          ['url'],
        ) ?? {};
      c.string(o, 'url', p, { pattern: /^https?:\/\/\S+$/i, max: 2048, what: 'an http:// or https:// URL' });
      c.string(o, 'tenant', p, { pattern: TENANT, nullable: true, what: 'a tenant id (letters, digits, _ . : @ -)' });
      c.string(o, 'description', p, { max: 1024, nullable: true });
      c.stringList(o, 'eventTypes', p, /^[a-zA-Z0-9_.*-]{1,128}$/, 'an event type name or pattern');
      c.tagged(o, 'auth', p, 'type', AUTH_TYPES, false);
      c.stringMap(o, 'headers', p);
      c.integer(o, 'timeoutMs', p, 1000, 60000);
      c.integer(o, 'rateLimitPerSecond', p, 1, 100000, true);
      c.integer(o, 'maxConcurrency', p, 1, 1000);
      if (o.retrySchedule !== undefined && o.retrySchedule !== null && (!Array.isArray(o.retrySchedule) || o.retrySchedule.some((s) => typeof s !== 'number' || !Number.isInteger(s) || s < 0))) {
        c.fail([...p, 'retrySchedule'], 'must be a list of seconds (integers from 0), or null');
      }
      c.oneOf(o, 'payloadFormat', p, ['envelope', 'raw']);
      c.oneOf(o, 'signing', p, ['hmac', 'ed25519', 'both']);
      c.boolean(o, 'enabled', p);
      c.string(o, 'secret', p, { pattern: /^whsec_[A-Za-z0-9+/=]+$/, what: 'a whsec_... secret (best as ${env:NAME})' });
      return { ...o, tenant: (o.tenant as string | null | undefined) ?? null } as unknown as DeclaredEndpoint;
    });
  }

  if (top.sources !== undefined) {
    out.sources = c.list(top.sources, ['sources']).map((item, i) => {
      const p: Path = ['sources', i];
      const o = c.object(item, p, ['name', 'tenant', 'verify', 'allowIps', 'eventType', 'maxBodyBytes'], ['name', 'verify']) ?? {};
      c.string(o, 'name', p, { max: 256 });
      c.string(o, 'tenant', p, { pattern: TENANT, nullable: true, what: 'a tenant id (letters, digits, _ . : @ -)' });
      c.tagged(o, 'verify', p, 'scheme', VERIFY_SCHEMES, false);
      c.stringList(o, 'allowIps', p, /^[0-9A-Fa-f:./]{1,64}$/, 'an address or CIDR range');
      c.integer(o, 'maxBodyBytes', p, 1, 64 * 1024 * 1024, true);
      return { ...o, tenant: (o.tenant as string | null | undefined) ?? null } as unknown as DeclaredSource;
    });
  }

  if (top.apiKeys !== undefined) {
    out.apiKeys = c.list(top.apiKeys, ['apiKeys']).map((item, i) => {
      const p: Path = ['apiKeys', i];
      const o = c.object(item, p, ['name', 'tenant', 'admin'], ['name']) ?? {};
      c.string(o, 'name', p, { max: 256 });
      c.string(o, 'tenant', p, { pattern: TENANT, nullable: true, what: 'a tenant id (letters, digits, _ . : @ -)' });
      c.boolean(o, 'admin', p);
      if (o.admin === true && typeof o.tenant === 'string') c.fail([...p, 'admin'], 'an admin key has no tenant: give admin: true or a tenant, not both');
      if (o.admin !== true && (o.tenant === undefined || o.tenant === null)) c.fail([...p, 'tenant'], 'is required (or admin: true for an admin key)');
      return { name: o.name as string, tenant: (o.tenant as string | null | undefined) ?? null };
    });
  }

  checkUnique(c, out.eventTypes, 'eventTypes', (t) => t.name, 'event type');
  checkUnique(c, out.endpoints, 'endpoints', (e) => endpointKey(e), 'endpoint (tenant and url)');
  checkUnique(c, out.sources, 'sources', (s) => sourceKey(s), 'source (tenant and name)');
  checkUnique(c, out.apiKeys, 'apiKeys', (k) => k.name, 'API key name');
  if (c.problems.length > 0) throw new ConfigFileError(c.problems);
  return out;
}

function checkUnique<T>(c: Checker, items: T[] | undefined, section: string, key: (item: T) => string, what: string): void {
  const seen = new Map<string, number>();
  items?.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) c.fail([section, i], `the same ${what} as ${section}[${first}]: each object is named once`);
    else seen.set(k, i);
  });
}
