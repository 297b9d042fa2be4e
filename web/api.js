// The API client: every call carries the API key (kept in sessionStorage, so it goes away with the
// tab), and every error becomes an ApiError holding the problem+json document.

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

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem?.code ?? null;
    this.title = problem?.title ?? null;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    this.problem = problem ?? null;
  }
}

export function buildQuery(query) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** api('/v1/endpoints', { method: 'POST', body: {...}, query: {...} }) -> parsed JSON (null for 204). */
export async function api(path, { method = 'GET', body, query, signal, key } = {}) {
  const headers = { accept: 'application/json' };
  const token = key ?? getKey();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`${path}${buildQuery(query)}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached.', code: 'network_error' });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const error = new ApiError(res.status, data);
    if (res.status === 401 && !key) window.dispatchEvent(new CustomEvent('hookd:unauthorized', { detail: error }));
    throw error;
  }
  return data;
}

/** true when the server has no such route (a feature another module has not shipped yet). */
export function isMissingRoute(err) {
  return err instanceof ApiError && err.status === 404 && err.code === 'route_not_found';
}

/** Read every page of a list (bounded): returns { data, truncated }. */
export async function listAll(path, query = {}, { cap = 10000, signal, onProgress } = {}) {
  const data = [];
  let cursor;
  for (;;) {
    const page = await api(path, { query: { ...query, limit: 250, cursor }, signal });
    data.push(...page.data);
    onProgress?.(data.length);
    if (!page.nextCursor) return { data, truncated: false };
    if (data.length >= cap) return { data, truncated: true };
    cursor = page.nextCursor;
  }
}
