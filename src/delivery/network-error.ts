// Network error -> spec section 8 code. One classifier for delivery attempts and the doctor, so a
// fault has the same code wherever it is seen. The codes and messages below were observed on Node
// 20.20.2 with undici 7.30.2 (see test/network-error.test.ts, which produces most of them for real).
//
// Hazards:
// - The interesting error is often not the outer one: global fetch wraps everything in
//   TypeError('fetch failed') with a `cause`; happy eyeballs (autoSelectFamily) gives an AggregateError
//   whose `errors` hold one failure per address. We walk both.
// - A TLS alert from the server names the fault on OUR side: "certificate required", "bad certificate",
//   "unknown ca" mean the receiver refused our client certificate, not that its own one is wrong.
// - "sslv3 alert handshake failure" is ambiguous: no common cipher/version, or (TLS 1.2) a server that
//   requires a client certificate we did not send. We call it tls_handshake_failed and say both.
// - undici reports a TLS 1.3 client-certificate rejection as UND_ERR_SOCKET "other side closed": the
//   alert arrives after the handshake and undici drops it. The http sender recovers the alert from the
//   socket; a classifier seeing only the undici error can say no more than connection_reset.

import type { AttemptCode } from '../core/attempt-codes.js';

export interface NetworkErrorClass {
  code: AttemptCode;
  message: string;
}

/** The error the sender aborts with when the whole attempt exceeds its total timeout. */
export function totalTimeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`the attempt exceeded its total timeout of ${timeoutMs} ms`), {
    code: 'HOOKD_TOTAL_TIMEOUT',
    name: 'TotalTimeoutError',
  });
}

function messageOf(e: ErrorLike): string {
  return typeof e.message === 'string' ? e.message : '';
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  reason?: unknown;
  syscall?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error, its causes and (for AggregateError) its members, outermost first, without cycles. */
function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 16) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const like = e as ErrorLike;
    out.push(like);
    if (like.cause !== undefined) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]));
  }
  return out;
}

const UNTRUSTED_CERT: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'The receiver presented a self-signed TLS certificate.',
  SELF_SIGNED_CERT_IN_CHAIN: "The receiver's TLS certificate chain ends in a self-signed root that is not trusted.",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "The receiver's TLS certificate could not be verified: the chain is incomplete (missing intermediate) or from an unknown issuer.",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "The issuer of the receiver's TLS certificate is not a trusted CA.",
  UNABLE_TO_GET_ISSUER_CERT: "The issuer of the receiver's TLS certificate could not be found.",
  CERT_UNTRUSTED: "The receiver's TLS certificate is not trusted.",
  INVALID_CA: "A CA certificate in the receiver's chain is invalid.",
  CERT_SIGNATURE_FAILURE: "The signature of the receiver's TLS certificate is invalid.",
  CERT_CHAIN_TOO_LONG: "The receiver's TLS certificate chain is too long.",
  INVALID_PURPOSE: "The receiver's TLS certificate is not valid for server authentication.",
  CERT_REVOKED: "The receiver's TLS certificate has been revoked.",
};

// Alerts a server sends about the client's certificate (mTLS).
const CLIENT_CERT_ALERT =
  /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)$/;

const DNS_FAILURE = new Set(['EAI_AGAIN', 'EAI_FAIL', 'ETIMEOUT', 'ESERVFAIL', 'EREFUSED', 'ECONNREFUSED', 'EBADRESP', 'ECANCELLED']);

function rawText(e: ErrorLike): string {
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    return (e.errors as unknown[]).map((m) => (m !== null && typeof m === 'object' ? rawText(m as ErrorLike) : String(m))).join('; ');
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'Error';
  // OpenSSL messages carry a hex prefix and a source path; its `reason` is the readable part.
  const text = typeof e.reason === 'string' && code.startsWith('ERR_SSL_') ? e.reason : messageOf(e).trim();
  return text === '' || text.includes(code) ? text || code : `${code}: ${text}`;
}

/** Classify one error of the chain; null when it says nothing specific. */
function classifyOne(e: ErrorLike): { code: AttemptCode; plain: string } | null {
  const code = typeof e.code === 'string' ? e.code : '';
  const name = typeof e.name === 'string' ? e.name : '';
  const syscall = typeof e.syscall === 'string' ? e.syscall : '';
  const dnsCall = syscall === 'getaddrinfo' || syscall.startsWith('query');

  if (code === 'ESSRFBLOCKED') return { code: 'blocked_address', plain: 'The target address is refused by the SSRF policy.' };
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME') {
    return { code: 'dns_not_found', plain: 'The host name does not exist or has no address records.' };
  }
  if (dnsCall && DNS_FAILURE.has(code)) {
    return { code: 'dns_failure', plain: 'The host name could not be resolved (DNS server failure or timeout).' };
  }
  if (code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return { code: 'dns_failure', plain: 'The host name could not be resolved (DNS server failure or timeout).' };
  }
  if (code === 'ECONNREFUSED') {
    return { code: 'connection_refused', plain: 'The connection was refused: nothing listens on that port, or a firewall rejects it.' };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || (code === 'ETIMEDOUT' && syscall !== 'read' && syscall !== 'write')) {
    // undici's connect timeout covers DNS lookup, the TCP handshake and the TLS handshake.
    return {
      code: 'connect_timeout',
      plain: 'The connection could not be established in time (no answer to the TCP or TLS handshake; a firewall may be dropping packets).',
    };
  }
  if (code === 'HOOKD_TOTAL_TIMEOUT' || name === 'TimeoutError') {
    return { code: 'timeout', plain: 'The receiver did not answer within the timeout.' };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { code: 'timeout', plain: 'The receiver did not send response headers within the timeout.' };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { code: 'timeout', plain: 'The receiver stopped sending the response body.' };
  if (code === 'ETIMEDOUT') return { code: 'timeout', plain: 'The connection timed out while waiting for the receiver.' };
  if (code === 'CERT_HAS_EXPIRED') return { code: 'tls_cert_expired', plain: "The receiver's TLS certificate has expired." };
  if (code === 'CERT_NOT_YET_VALID') return { code: 'tls_cert_not_yet_valid', plain: "The receiver's TLS certificate is not valid yet." };
  const untrusted = UNTRUSTED_CERT[code];
  if (untrusted !== undefined) return { code: 'tls_cert_untrusted', plain: untrusted };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { code: 'tls_hostname_mismatch', plain: "The receiver's TLS certificate does not cover this host name." };
  }
  const alert = CLIENT_CERT_ALERT.exec(code);
  if (alert) {
    const what = (alert[1] ?? '').toLowerCase().replaceAll('_', ' ');
    return { code: 'tls_client_cert_rejected', plain: `The receiver rejected hookd's client certificate (TLS alert "${what}").` };
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return { code: 'tls_handshake_failed', plain: 'The TLS handshake failed: the port does not seem to speak TLS (is it plain HTTP?).' };
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return {
      code: 'tls_handshake_failed',
      plain: 'The receiver aborted the TLS handshake: no protocol version or cipher in common, or it requires a client certificate (mTLS).',
    };
  }
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
    return { code: 'tls_handshake_failed', plain: 'The TLS handshake failed (protocol version, cipher or TLS error).' };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') {
    const duringTls = messageOf(e).includes('before secure TLS connection');
    return {
      code: 'connection_reset',
      plain: duringTls ? 'The receiver closed the connection during the TLS handshake.' : 'The receiver reset the connection.',
    };
  }
  if (code === 'UND_ERR_SOCKET') {
    return { code: 'connection_reset', plain: 'The receiver closed the connection before sending a complete response.' };
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return { code: 'response_too_large', plain: 'The response body exceeded the size limit.' };
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return { code: 'response_too_large', plain: 'The response headers exceeded the size limit.' };
  if (name === 'HTTPParserError' || code.startsWith('HPE_')) {
    return { code: 'network_error', plain: 'The receiver answered with something that is not valid HTTP/1.1.' };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { code: 'network_error', plain: 'There is no network route to the receiver.' };
  }
  return null;
}

export function classifyNetworkError(err: unknown): NetworkErrorClass {
  const chain = errorChain(err);
  for (const e of chain) {
    const hit = classifyOne(e);
    if (hit) return { code: hit.code, message: hit.code === 'blocked_address' ? messageOf(e) : `${hit.plain} (${rawText(e)})` };
  }
  const first = chain[0];
  const raw = first ? rawText(first) : String(err);
  return { code: 'network_error', message: `The request failed with an unexpected network error (${raw}).` };
}
