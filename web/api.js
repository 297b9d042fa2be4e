// The API client: every call carries the API key (kept in sessionStorage, so it goes away with the
// tab), and every error becomes an ApiError holding the problem+json document.

import { HookdNetworkError, HookdProblemError, Transport, paginate } from '/client/index.js';

const KEY_STORAGE = 'hookd.apiKey';
let memoryKey = null;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    // Sandboxed or storage-partitioned iframes (the tenant portal) may refuse storage.
    return null;
  }
}

export function getKey() {
  return memoryKey ?? storage()?.getItem(KEY_STORAGE) ?? null;
}

export function setKey(key) {
  memoryKey = key;
  storage()?.setItem(KEY_STORAGE, key);
}

export function clearKey() {
  memoryKey = null;
  storage()?.removeItem(KEY_STORAGE);
}

// Every call goes through hookd/client's transport (served from dist/client/ at /client/): the same
// problem errors and 503 retries as the CLI and any integrator. ApiError keeps the dashboard's shape
// (a message fit for a toast, status 0 when the server could not be reached).
export class ApiError extends HookdProblemError {
  constructor(status, problem) {
    super(status, problem);
    this.name = 'ApiError';
    this.message = problem?.detail || problem?.title || `HTTP ${status}`;
    // An answer that is no problem document (a proxy's error page) has no title or code of its own.
    this.title = problem?.title ?? null;
    this.code = problem?.code ?? null;
    this.problem = problem ?? null;
  }
}

export function buildQuery(query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

// Same origin: the page is served by the hookd it talks to. Two retries at most, so a page never
// hangs long on a database outage; the key is read at each call (it changes on sign-in).
const transport = new Transport({ baseUrl: '', apiKey: () => getKey(), retries: 2, maxRetryDelayMs: 5000 });

/** api('/v1/endpoints', { method: 'POST', body: {...}, query: {...} }) -> parsed JSON (null for 204). */
export async function api(path, { method = 'GET', body, query, signal, key } = {}) {
  const via = key ? new Transport({ baseUrl: '', apiKey: key, retries: 2, maxRetryDelayMs: 5000 }) : transport;
  try {
    const answer = await via.request(method, path, { query, body, signal });
    return answer.status === 204 ? null : answer.body;
  } catch (err) {
    if (err instanceof HookdNetworkError) throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached.', code: 'network_error' });
    if (!(err instanceof HookdProblemError)) throw err;
    const error = new ApiError(err.status, err.problem);
    if (err.status === 401 && !key) window.dispatchEvent(new CustomEvent('hookd:unauthorized', { detail: error }));
    throw error;
  }
}

/** true when the server has no such route (a feature another module has not shipped yet). */
export function isMissingRoute(err) {
  return err instanceof ApiError && err.status === 404 && err.code === 'route_not_found';
}

/** Read every page of a list (bounded): returns { data, truncated }. */
export async function listAll(path, query = {}, { cap = 10000, signal, onProgress } = {}) {
  const data = [];
  let truncated = false;
  let more = false;
  for await (const item of paginate(async (cursor) => {
    if (data.length >= cap) {
      truncated = more;
      return { data: [], nextCursor: null };
    }
    const page = await api(path, { query: { ...query, limit: 250, cursor }, signal });
    more = page.nextCursor !== null;
    onProgress?.(data.length + page.data.length);
    return page;
  })) data.push(item);
  return { data, truncated };
}
