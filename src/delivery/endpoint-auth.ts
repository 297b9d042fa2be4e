// Endpoint auth -> request headers (spec section 4). OAuth2 client-credentials tokens are fetched
// through the same SSRF-safe sender as deliveries (a token URL on a private address is refused too),
// cached per endpoint until shortly before expiry, and fetched once for concurrent callers.
//
// Decisions and hazards:
// - Error messages never contain the client secret: the token server's body is quoted (it says why,
//   e.g. {"error":"invalid_client"}) but any occurrence of the secret in it is replaced.
// - A cached token is tied to the auth config it was fetched with, so a changed clientId, scope or
//   tokenUrl never reuses an old token even if the caller forgets to call forget().
// - forget() bumps a generation counter: a fetch still in flight for the old config is not cached.
// - A token without expires_in is cached for DEFAULT_TTL_MS; a 401 from the receiver triggers
//   forceRefresh anyway (spec: refreshed once on a 401).
// - Failures are not cached: deliveries are retried on their own schedule.

import { createHash } from 'node:crypto';
import type { EndpointAuth } from '../core/types.js';
import { AuthError, type AuthProvider, type Sender } from './sender-types.js';
import { parseHost, type SsrfPolicy } from './ssrf-policy.js';

export interface AuthProviderOptions {
  sender: Sender;
  policy: SsrfPolicy;
  now?: (() => number) | undefined;
  /** Total time for one token request; default 10 s. */
  timeoutMs?: number | undefined;
}

type OAuth2 = Extract<EndpointAuth, { type: 'oauth2' }>;

interface CachedToken {
  accessToken: string;
  /** When to stop using it: expiry minus the safety margin. */
  refreshAt: number;
  fingerprint: string;
}

const DEFAULT_TTL_MS = 5 * 60_000;
const MAX_MARGIN_MS = 30_000;

function fingerprint(auth: OAuth2): string {
  return createHash('sha256')
    .update(JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope ?? '', auth.audience ?? '']))
    .digest('hex');
}

export function createAuthProvider(options: AuthProviderOptions): AuthProvider {
  const { sender, policy } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cache = new Map<string, CachedToken>();
  const inflight = new Map<string, { fingerprint: string; promise: Promise<string> }>();
  const generation = new Map<string, number>();

  /** Refuse what can be refused without the network, with a message naming the token URL. */
  function checkTokenUrl(tokenUrl: string): void {
    let url: URL;
    try {
      url = new URL(tokenUrl);
    } catch {
      throw new AuthError(`The OAuth2 token URL "${tokenUrl}" is not a valid URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AuthError(`The OAuth2 token URL must use http or https, not ${url.protocol}`);
    }
    const { ip } = parseHost(url);
    const verdict = ip === null ? { allowed: true as const } : policy.checkAddress(ip);
    if (!verdict.allowed) throw new AuthError(`The OAuth2 token URL ${url.origin} is refused: ${verdict.reason}`);
  }

  async function fetchToken(endpointId: string, auth: OAuth2, print: string, startGeneration: number): Promise<string> {
    checkTokenUrl(auth.tokenUrl);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    const startedAt = now();
    const result = await sender.send({
      url: auth.tokenUrl,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: Buffer.from(form.toString()),
      timeoutMs,
      connectTimeoutMs: Math.min(5_000, timeoutMs),
      maxResponseBytes: 64 * 1024,
    });
    const where = `the OAuth2 token URL ${auth.tokenUrl}`;
    const quote = (text: string | null): string => {
      const clean = (text ?? '').replaceAll(auth.clientSecret, '[redacted]').replace(/\s+/g, ' ').trim();
      return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
    };
    if (result.errorCode !== null || result.status === null) {
      throw new AuthError(`Could not get a token from ${where} (${result.errorCode ?? 'no response'}): ${quote(result.errorMessage)}`);
    }
    if (result.status < 200 || result.status >= 300) {
      throw new AuthError(`${where} answered ${result.status}: ${quote(result.body) || '(empty body)'}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(result.body ?? '');
    } catch {
      throw new AuthError(`${where} answered ${result.status} with a body that is not JSON: ${quote(result.body) || '(empty body)'}`);
    }
    const body = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const token = body.access_token;
    if (typeof token !== 'string' || token === '') {
      const fields = Object.keys(body).join(', ') || 'none';
      throw new AuthError(`${where} answered without an access_token (fields: ${fields}).`);
    }
    const expiresIn = Number(body.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_TTL_MS;
    const margin = Math.min(MAX_MARGIN_MS, lifetimeMs * 0.1);
    if ((generation.get(endpointId) ?? 0) === startGeneration) {
      cache.set(endpointId, { accessToken: token, refreshAt: startedAt + lifetimeMs - margin, fingerprint: print });
    }
    return token;
  }
  async function oauth2Token(endpointId: string, auth: OAuth2, forceRefresh: boolean): Promise<string> {
    const print = fingerprint(auth);
    if (forceRefresh) cache.delete(endpointId);
    const cached = cache.get(endpointId);
    if (cached && cached.fingerprint === print && now() < cached.refreshAt) return cached.accessToken;
    const running = inflight.get(endpointId);
    if (running && running.fingerprint === print) return running.promise;
    const promise = fetchToken(endpointId, auth, print, generation.get(endpointId) ?? 0).finally(() => {
      if (inflight.get(endpointId)?.promise === promise) inflight.delete(endpointId);
    });
    inflight.set(endpointId, { fingerprint: print, promise });
    return promise;
  }

  return {
    async headersFor(endpointId, auth, opts) {
      switch (auth.type) {
        case 'none':
        case 'mtls': // the client certificate goes into SendRequest.tls, not into a header
          return {};
        case 'basic':
          return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}` };
        case 'bearer':
          return { authorization: `Bearer ${auth.token}` };
        case 'header':
          return { [auth.name.toLowerCase()]: auth.value };
        case 'oauth2':
          return { authorization: `Bearer ${await oauth2Token(endpointId, auth, opts?.forceRefresh === true)}` };
      }
    },
    forget(endpointId) {
      cache.delete(endpointId);
      inflight.delete(endpointId);
      generation.set(endpointId, (generation.get(endpointId) ?? 0) + 1);
    },
  };
}
