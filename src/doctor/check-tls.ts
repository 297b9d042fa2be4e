// The `tls` step: a real handshake with the address the tcp step reached, the URL's host as SNI, and
// full certificate inspection (tls-certificate.ts). The handshake itself does not verify
// (rejectUnauthorized: false) so that one run can report every certificate problem; the HTTP probe
// that follows does verify, exactly as deliveries do.

import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { ATTEMPT_CODES } from '../core/attempt-codes.js';
import { classifyNetworkError } from '../delivery/network-error.js';
import { found, passed, type StepResult } from './report.js';
import type { VettedTarget } from './check-address-dns.js';
import { inspectCertificate, mostSpecific } from './tls-certificate.js';

export interface TlsProbeOptions {
  connectTimeoutMs: number;
  now: number;
  /** Trust anchors added to the public roots (a private CA, the endpoint's mTLS `ca`, tests). */
  extraCa: string[];
  /** The endpoint's client certificate, when it uses mTLS. */
  clientCert?: { cert: string; key: string } | undefined;
}

type Handshake =
  | { ok: true; socket: tls.TLSSocket; ms: number }
  | { ok: false; error: unknown; ms: number };

function handshake(target: VettedTarget, address: string, options: TlsProbeOptions): Promise<Handshake> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: address,
      port: target.port,
      // SNI must be a name (RFC 6066); an IP-literal URL sends none, as undici does.
      ...(target.ip === null ? { servername: target.hostname } : {}),
      rejectUnauthorized: false,
      ...(options.extraCa.length > 0 ? { ca: [...tls.rootCertificates, ...options.extraCa] } : {}),
      ...(options.clientCert ? { cert: options.clientCert.cert, key: options.clientCert.key } : {}),
    });
    const settle = (result: Handshake): void => {
      clearTimeout(timer);
      socket.removeAllListeners('secureConnect');
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      if (!result.ok) socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      // Node's shape for an unanswered connect, so the classifier says connect_timeout as for undici.
      const error = Object.assign(new Error(`the TLS handshake with ${address}:${target.port} got no answer within ${options.connectTimeoutMs} ms`), {
        code: 'ETIMEDOUT',
        syscall: 'connect',
      });
      settle({ ok: false, error, ms: performance.now() - started });
    }, options.connectTimeoutMs);
    socket.once('secureConnect', () => settle({ ok: true, socket, ms: performance.now() - started }));
    socket.once('error', (error) => settle({ ok: false, error, ms: performance.now() - started }));
  });
}

export async function checkTls(target: VettedTarget, address: string, options: TlsProbeOptions): Promise<StepResult> {
  if (target.url.protocol === 'http:') {
    return found('tls', 'warn', 'plain_http', `${target.url.origin} is plain HTTP: payloads, signatures and credentials travel unencrypted.`, {
      protocol: 'http',
    });
  }
  const result = await handshake(target, address, options);
  const base = { address, port: target.port, servername: target.ip === null ? target.hostname : null, handshakeMs: Math.round(result.ms) };
  if (!result.ok) {
    const { code, message } = classifyNetworkError(result.error);
    return found('tls', 'fail', code, message, base);
  }
  const { socket } = result;
  try {
    const peer = socket.getPeerCertificate(true);
    const protocol = socket.getProtocol();
    const cipher = socket.getCipher();
    // Typed as Error, but Node sets the OpenSSL code string (e.g. "DEPTH_ZERO_SELF_SIGNED_CERT").
    const authError = socket.authorizationError as unknown;
    const opensslVerdict = typeof authError === 'string' ? authError : authError instanceof Error ? ((authError as NodeJS.ErrnoException).code ?? authError.message) : null;
    if (!peer.raw) {
      return found('tls', 'fail', 'tls_handshake_failed', 'The server completed the handshake without presenting a certificate.', { ...base, protocol });
    }
    const inspection = inspectCertificate(peer, target.hostname, options.now, options.extraCa);
    const problems = inspection.problems;
    // Anything OpenSSL objected to that our own checks did not name (revoked, wrong key usage ...).
    if (opensslVerdict) {
      const extra = classifyNetworkError({ code: opensslVerdict });
      if (extra.code !== 'network_error' && !problems.some((p) => p.code === extra.code)) problems.push(extra);
    }
    const detail = {
      ...base,
      protocol,
      cipher: { name: cipher.name, standardName: cipher.standardName, version: cipher.version },
      certificate: inspection.facts,
      chain: inspection.chain,
      opensslVerdict,
      problems,
    };
    const worst = mostSpecific(problems);
    if (worst) {
      const also = problems.length > 1 ? ` Also: ${problems.filter((p) => p !== worst).map((p) => p.message).join(' ')}` : '';
      // One fix per problem: renewing an expired self-signed certificate alone would not be enough.
      const fixes = [...new Set([worst, ...problems].map((p) => ATTEMPT_CODES[p.code].fix))];
      return found('tls', 'fail', worst.code, `${worst.message}${also}`, detail, fixes.length > 1 ? fixes.join(' ') : undefined);
    }
    const facts = inspection.facts;
    return passed(
      'tls',
      `${protocol} with ${cipher.standardName}; the certificate for ${facts.subject} from ${facts.issuer} is valid until ${facts.validTo} (${facts.daysRemaining} days).`,
      detail,
    );
  } finally {
    socket.destroy();
  }
}
