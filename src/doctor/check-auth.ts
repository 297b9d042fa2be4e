// The `auth` step: are the endpoint's credentials accepted? On a 401 or 403 it sends a second ping
// with the credentials stripped (still signed) and compares the answers:
// - the endpoint sends none (auth none, or only an mTLS certificate): they are MISSING;
// - the same answer with and without them: the receiver does not tell; either it does not see them
//   (wrong header name or scheme) or they are wrong. We say so rather than guess;
// - a different answer (another body, another WWW-Authenticate, a 2xx): the receiver read them and
//   refused them, i.e. they are WRONG. RFC 6750's `error="invalid_token"` says so directly.
// - WWW-Authenticate naming another scheme than the one sent (Basic asked, Bearer sent): wrong kind;
// - a 403 that turns into a 401 without credentials: they are valid but not permitted; a 403 either way
//   points at an IP allowlist.
// OAuth2 first gets one forced token refresh, as deliveries do.

import type { EndpointAuth } from '../core/types.js';
import { excerpt, sendPing, type PingContext, type PingOutcome } from './ping-request.js';
import { found, passed, skipped, type StepResult } from './report.js';

interface Answer {
  status: number | null;
  wwwAuthenticate: string | null;
  body: string;
}

function answerOf(ping: PingOutcome): Answer {
  const r = ping.result;
  return { status: r.status, wwwAuthenticate: r.headers?.['www-authenticate'] ?? null, body: excerpt(r.body) };
}

const sameAnswer = (a: Answer, b: Answer): boolean => a.status === b.status && a.wwwAuthenticate === b.wwwAuthenticate && a.body === b.body;

/** The credential kind as the receiver would name it in WWW-Authenticate. */
function describeAuth(auth: EndpointAuth): string {
  switch (auth.type) {
    case 'none':
      return 'no credentials';
    case 'basic':
      return 'Basic credentials';
    case 'bearer':
      return 'a Bearer token';
    case 'oauth2':
      return 'an OAuth2 Bearer token';
    case 'header':
      return `an API key in the ${auth.name} header`;
    case 'mtls':
      return 'a client certificate (no Authorization header)';
  }
}

function sentScheme(auth: EndpointAuth): string | null {
  if (auth.type === 'basic') return 'basic';
  if (auth.type === 'bearer' || auth.type === 'oauth2') return 'bearer';
  return null;
}

function challengeHint(www: string | null): string {
  return www ? ` (it asks for: WWW-Authenticate: ${www})` : '';
}

export async function checkAuth(ctx: PingContext, first: PingOutcome, httpStatus: 'pass' | 'warn' | 'fail' | 'skip'): Promise<StepResult> {
  const auth = ctx.endpoint.auth;
  if (first.authError) {
    return found('auth', 'fail', 'auth_token_failed', first.authError.message, { auth: auth.type });
  }
  if (httpStatus === 'fail' || httpStatus === 'skip' || first.result.status === null) {
    return skipped('auth', 'Skipped: credentials can only be judged once the route answers.', { dependsOn: 'http' });
  }
  let ping = first;
  let refreshed = false;
  if (ping.result.status === 401 && auth.type === 'oauth2') {
    ping = await sendPing(ctx, { withAuth: true, forceRefresh: true });
    refreshed = true;
    if (ping.authError) return found('auth', 'fail', 'auth_token_failed', ping.authError.message, { auth: auth.type, refreshed });
  }
  const status = ping.result.status;
  const withCredentials = answerOf(ping);
  if (status !== 401 && status !== 403) {
    const how = auth.type === 'none' ? 'without credentials (only the signature identifies hookd)' : `with ${describeAuth(auth)}`;
    const note = refreshed ? ' A fresh OAuth2 token was needed: the cached one had been revoked.' : '';
    return passed('auth', `The receiver accepted the request ${how}.${note}`, { auth: auth.type, status, refreshed });
  }

  // Credentials we do not send cannot be stripped; for mTLS the certificate stays (it is TLS-level).
  const stripped = auth.type === 'none' ? null : await sendPing(ctx, { withAuth: false });
  const withoutCredentials = stripped ? answerOf(stripped) : withCredentials;
  const detail = { auth: auth.type, refreshed, withCredentials, withoutCredentials: stripped ? withoutCredentials : null };

  if (status === 403) {
    if (auth.type === 'none') {
      return found('auth', 'fail', 'http_forbidden', 'The receiver answered 403 and the endpoint sends no credentials: it may want credentials, or it restricts callers by IP address.', { ...detail, verdict: 'forbidden' });
    }
    if (withoutCredentials.status === 401) {
      return found('auth', 'fail', 'http_forbidden', `The receiver recognises ${describeAuth(auth)} (without them it answers 401) but does not permit this caller.`, { ...detail, verdict: 'not_permitted' }, 'Grant these credentials access to the webhook route on the receiver (role, scope or permission).');
    }
    return found('auth', 'fail', 'http_forbidden', 'The receiver answered 403 with and without credentials: it probably restricts callers by IP address.', { ...detail, verdict: 'ip_restricted' }, "Allow hookd's egress addresses in the receiver's IP allowlist or firewall.");
  }

  // 401
  const www = withCredentials.wwwAuthenticate;
  if (auth.type === 'none' || auth.type === 'mtls') {
    return found(
      'auth',
      'fail',
      'http_unauthorized',
      `The receiver wants credentials and the endpoint sends ${describeAuth(auth)}${challengeHint(www)}: they are missing.`,
      { ...detail, verdict: 'missing' },
      `Set the endpoint's auth to the credentials the receiver expects${challengeHint(www)}.`,
    );
  }
  const asked = www ? (/^\s*([A-Za-z-]+)/.exec(www)?.[1] ?? '').toLowerCase() : '';
  const scheme = sentScheme(auth);
  if (asked && scheme && asked !== scheme) {
    return found(
      'auth',
      'fail',
      'http_unauthorized',
      `The receiver asks for ${asked} credentials but the endpoint sends ${describeAuth(auth)}: the wrong kind.`,
      { ...detail, verdict: 'wrong_scheme' },
      `Change the endpoint's auth type to what the receiver asks for (WWW-Authenticate: ${www}).`,
    );
  }
  if (/error\s*=\s*"?invalid_token/i.test(www ?? '') || !sameAnswer(withCredentials, withoutCredentials)) {
    const contrast = withoutCredentials.status !== null && withoutCredentials.status >= 200 && withoutCredentials.status < 300
      ? ' (without them it even accepts the request)'
      : ' (it answers differently without them)';
    return found(
      'auth',
      'fail',
      'http_unauthorized',
      `The receiver reads ${describeAuth(auth)} and rejects it${contrast}: the credentials are wrong or expired.`,
      { ...detail, verdict: 'wrong' },
      "Correct the endpoint's credentials (token, password or key value) to what the receiver currently accepts.",
    );
  }
  return found(
    'auth',
    'fail',
    'http_unauthorized',
    `The receiver answers 401 exactly as it does without credentials, so it does not say whether it sees ${describeAuth(auth)}: they are either sent where it does not look (header name, scheme) or wrong.`,
    { ...detail, verdict: 'indistinguishable' },
    `Check that the credentials are sent where the receiver reads them${challengeHint(www)} (header name, auth type), then that their value is current.`,
  );
}
