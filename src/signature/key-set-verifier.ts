// Verifying v1a by a published key set (a JWK Set URL): the receiver is configured with the URL only
// and follows the sender's key rotations without being touched.
//
// The one I/O in hookd/signature, kept here: fetch (global, or the caller's). Cache rules:
// - the set is fresh for its Cache-Control max-age (no-store/no-cache: stale at once; none: 5 min;
//   capped at a day), and a stale set is refetched on the next verification;
// - a request naming an unknown key id (or matching no known key) triggers one refetch;
// - whatever the reason, the URL is fetched at most once a minute (the first fetch excepted), so a
//   flood of forged requests with random key ids cannot turn the receiver into a load generator;
// - a failed fetch keeps the last good set; concurrent verifications share one fetch.

import type { RawBody } from './body.js';
import { decodePublicKey, jwkToPublicKey } from './ed25519-keys.js';
import type { HeaderInput } from './headers.js';
import { finishV1a, matchV1a, readV1aRequest, type TrustedKey, type V1aVerifyResult } from './standard-webhooks-v1a.js';
import { assertTolerance } from './timestamp.js';
import { DEFAULT_TOLERANCE_SECONDS, verifyFailure } from './verify-result.js';

export const KEY_SET_MIN_REFETCH_MS = 60_000;
const DEFAULT_MAX_AGE_SECONDS = 300;
const MAX_AGE_CAP_SECONDS = 86_400;
const MAX_KEY_SET_BYTES = 64 * 1024;

export interface KeySetVerifierOptions {
  /** The JWK Set URL, e.g. https://hookd.example/.well-known/webhooks/jwks.json?tenant=acme */
  url: string;
  /** Defaults to the global fetch. */
  fetch?: (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;
  /** Milliseconds since the epoch; defaults to Date.now (injectable for tests). */
  now?: () => number;
  /** Floor between two fetches (default 60 s). */
  minRefetchIntervalMs?: number;
  /** Per fetch (default 10 s). */
  fetchTimeoutMs?: number;
}

export interface KeySetVerifyInput {
  body: RawBody;
  headers: HeaderInput;
  toleranceSeconds?: number;
  now?: number | Date;
}

export interface KeySetVerifier {
  verify(input: KeySetVerifyInput): Promise<V1aVerifyResult>;
  /** The keys currently cached (fetching them first if none are). */
  keys(): Promise<TrustedKey[]>;
  /** How many times the URL was fetched (observability, tests). */
  readonly fetches: number;
}

/** max-age in seconds from a Cache-Control header (0 for no-store / no-cache). */
export function cacheMaxAge(header: string | null): number {
  if (header === null) return DEFAULT_MAX_AGE_SECONDS;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  for (const d of directives) {
    const m = /^max-age=(\d{1,10})$/.exec(d);
    if (m) return Math.min(Number(m[1]), MAX_AGE_CAP_SECONDS);
  }
  return DEFAULT_MAX_AGE_SECONDS;
}

/** The ed25519 keys of a JWK Set document; anything else in it is ignored. */
export function keysOfSet(document: unknown): TrustedKey[] {
  if (document === null || typeof document !== 'object') return [];
  const list = (document as { keys?: unknown }).keys;
  if (!Array.isArray(list)) return [];
  const out: TrustedKey[] = [];
  for (const jwk of list.slice(0, 50)) {
    const parsed = jwkToPublicKey(jwk);
    if (parsed) out.push({ kid: parsed.kid, key: decodePublicKey(parsed.publicKey) });
  }
  return out;
}

export function createKeySetVerifier(options: KeySetVerifierOptions): KeySetVerifier {
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const now = options.now ?? Date.now;
  const minInterval = options.minRefetchIntervalMs ?? KEY_SET_MIN_REFETCH_MS;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 10_000;
  new URL(options.url); // a malformed URL is a caller mistake: throw now, not on the first request
  let cached: TrustedKey[] | null = null;
  let freshUntil = 0;
  let lastFetchAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;
  let fetches = 0;

  async function load(): Promise<void> {
    lastFetchAt = now();
    fetches += 1;
    const response = await doFetch(options.url, { headers: { accept: 'application/jwk-set+json, application/json' }, signal: AbortSignal.timeout(fetchTimeoutMs) });
    if (!response.ok) throw new Error(`key set fetch answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_KEY_SET_BYTES) throw new Error('key set too large');
    const text = await response.text();
    if (text.length > MAX_KEY_SET_BYTES) throw new Error('key set too large');
    const keys = keysOfSet(JSON.parse(text));
    cached = keys;
    freshUntil = lastFetchAt + cacheMaxAge(response.headers.get('cache-control')) * 1000;
  }

  /** Refetch unless the last fetch was under a minute ago; errors keep the old set. */
  async function refresh(): Promise<void> {
    if (inFlight) return inFlight;
    if (cached !== null && now() - lastFetchAt < minInterval) return;
    inFlight = load()
      .catch(() => undefined)
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  async function current(): Promise<TrustedKey[]> {
    if (cached === null || now() >= freshUntil) await refresh();
    return cached ?? [];
  }

  return {
    get fetches() {
      return fetches;
    },
    keys: current,
    async verify(input) {
      const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
      assertTolerance(toleranceSeconds);
      const parts = readV1aRequest(input.body, input.headers);
      if ('ok' in parts) return parts;
      let keys = await current();
      if (cached === null) return verifyFailure('signature_invalid', 'The key set could not be fetched, so no signature can be trusted.');
      let matched = matchV1a(parts, keys);
      const unknownKid = parts.keyIds.some((kid) => !keys.some((k) => k.kid === kid));
      // A rotation the cache has not seen yet: one refetch (rate-limited), then decide.
      if (matched === null && (unknownKid || parts.keyIds.length === 0)) {
        await refresh();
        keys = cached ?? [];
        matched = matchV1a(parts, keys);
      }
      return finishV1a(parts, matched, toleranceSeconds, input.now);
    },
  };
}

