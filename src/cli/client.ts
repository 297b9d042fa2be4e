// The HTTP client of the CLI. Where the server and key come from:
//
//   --profile <name> (or HOOKD_PROFILE): that profile of the config file; HOOKD_URL / HOOKD_API_KEY
//                    fill only what the profile lacks.
//   otherwise:       HOOKD_URL and HOOKD_API_KEY, then the config file's default profile.
//
// Missing configuration is a usage problem (exit 2) with the commands that fix it. Answers that are
// problem+json become ApiError (rendered by main.ts as `error: <title>: <detail> (<code>)`, exit 1).
//
// The HTTP exchange itself is hookd/client's (src/client/): the same transport (key, JSON, 503 retries
// after Retry-After) and, through `api`, the same typed operations any integrator uses. What this
// file adds is the CLI's own: where settings come from, the one-time "is this hookd?" check, and
// errors worded for a terminal.

import type { Command } from 'commander';
import { HookdClient as ApiClient, HookdProblemError, Transport, reasonOf } from '../client/index.js';
import { buildUrl } from '../client/transport.js';
import { ApiError, CliError } from './errors.js';
import { checkProfileName, configPath, DEFAULT_PROFILE, readProfiles } from './profiles.js';

export interface ClientSettings {
  url: string;
  apiKey: string;
  /** The profile used, or null when everything came from the environment. */
  profile: string | null;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

const NO_SERVER_HELP =
  'no hookd server configured. Set HOOKD_URL and HOOKD_API_KEY (e.g. HOOKD_URL=http://localhost:8080 HOOKD_API_KEY=hk_...), ' +
  'or save them once with `hookd login --url http://localhost:8080 --api-key hk_...`';

export function resolveSettings(options: { profile?: string | undefined }, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const explicit = options.profile ?? (env.HOOKD_PROFILE && env.HOOKD_PROFILE !== '' ? env.HOOKD_PROFILE : undefined);
  const file = readProfiles(env);
  const envUrl = env.HOOKD_URL && env.HOOKD_URL !== '' ? env.HOOKD_URL : undefined;
  const envKey = env.HOOKD_API_KEY && env.HOOKD_API_KEY !== '' ? env.HOOKD_API_KEY : undefined;
  let url: string | undefined;
  let apiKey: string | undefined;
  let profile: string | null = null;
  if (explicit !== undefined) {
    checkProfileName(explicit);
    const p = file.profiles[explicit];
    if (!p) throw new CliError(`no profile "${explicit}" in ${configPath(env)}; create it with \`hookd login --profile ${explicit} --url ... --api-key ...\``, 2);
    profile = explicit;
    url = p.url ?? envUrl;
    apiKey = p.apiKey ?? envKey;
  } else {
    const name = file.defaultProfile ?? DEFAULT_PROFILE;
    const p = file.profiles[name];
    url = envUrl ?? p?.url;
    apiKey = envKey ?? p?.apiKey;
    if (p && (url === p.url || apiKey === p.apiKey)) profile = name;
  }
  if (url === undefined && apiKey === undefined) throw new CliError(NO_SERVER_HELP, 2);
  if (url === undefined) throw new CliError(`no server URL: set HOOKD_URL (e.g. http://localhost:8080) or \`hookd config set url <url>\``, 2);
  if (apiKey === undefined) throw new CliError(`no API key for ${url}: set HOOKD_API_KEY or \`hookd config set api-key <key>\` (hookd serve prints an admin key on first start)`, 2);
  return { url: normalizeUrl(url), apiKey, profile };
}

export function normalizeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`invalid server URL "${url}" (expected e.g. http://localhost:8080)`, 2);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`invalid server URL "${url}": use http:// or https://`, 2);
  return parsed.toString().replace(/\/+$/, '');
}

/** The URL answers, but not as hookd does (another app, a proxy page): exit 1. */
export class NotHookdError extends CliError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'NotHookdError';
  }
}

/** What GET /healthz answers on a hookd server. */
export interface ServerIdentity {
  version: string;
}

export class HookdClient {
  private identity: Promise<ServerIdentity> | null = null;
  readonly transport: Transport;
  /** The typed client of the v1 API (hookd/client), over this client's checked transport. */
  readonly api: ApiClient;

  constructor(readonly settings: ClientSettings) {
    // Every call the typed client makes passes the identity check first (see raw()).
    this.transport = new Transport({ baseUrl: settings.url, apiKey: settings.apiKey, fetch: (url, init) => this.checkedFetch(typeof url === 'string' ? url : url instanceof URL ? url.href : url.url, init ?? {}) });
    this.api = new ApiClient(this.transport);
  }

  /**
   * Check once per process that the server is hookd (GET /healthz answers `{ service: "hookd" }`).
   * Without it, a wrong HOOKD_URL (another app, a proxy's HTML page) surfaced as JavaScript errors
   * about unexpected bodies, `login` saved the profile and `demo` claimed success.
   */
  ensureHookd(): Promise<ServerIdentity> {
    // An unreachable server is asked again next time (tail and listen reconnect after a restart);
    // only an answer, hookd or not, is remembered.
    this.identity ??= this.probeIdentity().catch((err: unknown) => {
      if (!(err instanceof NotHookdError)) this.identity = null;
      throw err;
    });
    return this.identity;
  }

  private async probeIdentity(): Promise<ServerIdentity> {
    // Built as the transport builds API URLs, so a server behind a path prefix (https://host/hookd) is probed where it is.
    const res = await this.send('GET', buildUrl(this.settings.url, '/healthz'), { accept: 'application/json' });
    const type = res.headers.get('content-type') ?? 'no content type';
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: not hookd
    }
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (res.status === 200 && b.service === 'hookd' && typeof b.version === 'string') return { version: b.version };
    throw new NotHookdError(
      `${this.settings.url} is not a hookd server (GET /healthz answered ${res.status} ${type.split(';')[0]}${text === '' ? '' : `: ${JSON.stringify(text.slice(0, 60))}`}). ` +
        'Check HOOKD_URL, --url or the profile (`hookd config list`).',
    );
  }

  private async send(method: string, url: string, headers: Record<string, string>, body?: string, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(url, { method, headers, body, signal: signal ?? null });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new CliError(`cannot reach the hookd server at ${this.settings.url} (${reasonOf(err)}). Is it running? Start it with \`npm start\` or \`hookd serve\`.`, 1, { cause: err });
    }
  }

  get baseUrl(): string {
    return this.settings.url;
  }

  urlFor(path: string, query?: RequestOptions['query']): string {
    const url = new URL(path, `${this.settings.url}/`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    return url.toString();
  }

  /**
   * Any answer, unparsed, from a server checked to be hookd; network failures become a CliError
   * naming the server. A read runs alongside the identity check (no extra round trip); anything
   * that changes state waits for it, so nothing is posted to a server that is not hookd.
   */
  async raw(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    return this.transport.send(method, path, { query: options.query, body: options.body, headers: options.headers, signal: options.signal });
  }

  /** fetch for the transport: network failures worded for the CLI, and the identity check beside it. */
  private async checkedFetch(url: string, init: RequestInit): Promise<Response> {
    const method = init.method ?? 'GET';
    const identity = this.ensureHookd();
    if (method !== 'GET') await identity;
    const sending = this.send(method, url, (init.headers ?? {}) as Record<string, string>, init.body as string | undefined, init.signal ?? undefined);
    // Both settle before either error is reported: "not a hookd server" wins over what the other
    // server answered.
    const [who, res] = await Promise.allSettled([identity, sending]);
    if (who.status === 'rejected') {
      if (res.status === 'fulfilled') await res.value.body?.cancel().catch(() => undefined);
      throw who.reason;
    }
    if (res.status === 'rejected') throw res.reason;
    return res.value;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return withCliErrors(this.transport.request<T>(method, path, { query: options.query, body: options.body, headers: options.headers, signal: options.signal }));
  }

  get<T = unknown>(path: string, query?: RequestOptions['query']): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, { query });
  }

  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body: body ?? {}, headers });
  }

  patch<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, { body });
  }

  put<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, { body });
  }

  delete(path: string): Promise<ApiResponse<unknown>> {
    return this.request('DELETE', path);
  }
}

/** hookd/client's problem errors as the CLI's ApiError (what main.ts and the MCP tools render). */
export async function withCliErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof HookdProblemError) throw toApiError(err.status, err.problem ?? (err.detail !== '' ? err.detail : null));
    throw err;
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  const p = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof p.code === 'string' ? p.code : `http_${status}`;
  const title = typeof p.title === 'string' ? p.title : `HTTP ${status}`;
  const detail = typeof p.detail === 'string' ? p.detail : typeof body === 'string' ? body.slice(0, 200) : '';
  return new ApiError(status, code, title, detail, p);
}

export function clientFor(cmd: Command): HookdClient {
  const opts = cmd.optsWithGlobals<{ profile?: string }>();
  return new HookdClient(resolveSettings({ profile: opts.profile }));
}
