// Certificate inspection for the `tls` step, independent of OpenSSL's verdict: OpenSSL stops at the
// first verification error, but a certificate can be expired AND self-signed AND for another host at
// once, and the user needs to hear all of it. Each problem is found by its own test here.

import { X509Certificate } from 'node:crypto';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { AttemptCode } from '../core/attempt-codes.js';

export interface CertificateProblem {
  code: AttemptCode;
  message: string;
}

/** Most specific first: a date or a host name is one precise fact; "untrusted" is a broad class. */
const SPECIFICITY: readonly AttemptCode[] = ['tls_cert_expired', 'tls_cert_not_yet_valid', 'tls_hostname_mismatch', 'tls_cert_untrusted'];

export function mostSpecific(problems: readonly CertificateProblem[]): CertificateProblem | undefined {
  const rank = (p: CertificateProblem): number => {
    const i = SPECIFICITY.indexOf(p.code);
    return i === -1 ? SPECIFICITY.length : i;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b))[0];
}

/** Split a PEM bundle into certificates (ignoring anything that does not parse). */
function parseBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // a broken anchor cannot vouch for anything
    }
  }
  return out;
}

let publicRoots: X509Certificate[] | undefined;
function trustAnchors(extraCa: readonly string[]): X509Certificate[] {
  publicRoots ??= tls.rootCertificates.flatMap(parseBundle);
  return [...publicRoots, ...extraCa.flatMap(parseBundle)];
}

/** The chain as the peer presented it (leaf first), as X509 objects. Bounded: chains are short. */
export function peerChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: PeerCertificate | undefined = peer;
  while (current?.raw && chain.length < 10) {
    const x509 = new X509Certificate(current.raw);
    if (seen.has(x509.fingerprint256)) break;
    seen.add(x509.fingerprint256);
    chain.push(x509);
    current = (current as DetailedPeerCertificate).issuerCertificate;
  }
  return chain;
}

const issued = (child: X509Certificate, parent: X509Certificate): boolean => {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
};

export function isSelfSigned(cert: X509Certificate): boolean {
  return issued(cert, cert);
}

/** Walk leaf -> issuer through the presented chain until a trust anchor vouches for a link. */
export function chainIsTrusted(chain: readonly X509Certificate[], extraCa: readonly string[]): boolean {
  const anchors = trustAnchors(extraCa);
  const anchorPrints = new Set(anchors.map((a) => a.fingerprint256));
  let current = chain[0];
  for (let hops = 0; current && hops < 10; hops++) {
    if (anchorPrints.has(current.fingerprint256)) return true;
    const cert: X509Certificate = current;
    if (anchors.some((anchor) => issued(cert, anchor))) return true;
    current = chain.find((parent) => parent !== cert && issued(cert, parent));
  }
  return false;
}

const DAY_MS = 86_400_000;

export interface CertificateFacts {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  daysRemaining: number;
  serialNumber: string;
  fingerprint256: string;
  selfSigned: boolean;
  trusted: boolean;
}

/** Every problem of the presented certificate for `hostname` at time `now`. */
export function inspectCertificate(
  peer: DetailedPeerCertificate,
  hostname: string,
  now: number,
  extraCa: readonly string[],
): { facts: CertificateFacts; chain: Array<{ subject: string; issuer: string }>; problems: CertificateProblem[] } {
  const chain = peerChain(peer);
  const leaf = chain[0]!;
  const validFrom = new Date(leaf.validFrom).getTime();
  const validTo = new Date(leaf.validTo).getTime();
  const selfSigned = isSelfSigned(leaf);
  const trusted = chainIsTrusted(chain, extraCa);
  const oneLine = (dn: string): string => dn.split('\n').join(', ');
  const problems: CertificateProblem[] = [];

  if (now > validTo) {
    const days = Math.floor((now - validTo) / DAY_MS);
    problems.push({ code: 'tls_cert_expired', message: `The certificate expired on ${new Date(validTo).toISOString()} (${days} day(s) ago).` });
  }
  if (now < validFrom) {
    problems.push({ code: 'tls_cert_not_yet_valid', message: `The certificate is not valid before ${new Date(validFrom).toISOString()}.` });
  }
  const identity = tls.checkServerIdentity(hostname, peer);
  if (identity) {
    problems.push({
      code: 'tls_hostname_mismatch',
      message: `The certificate does not cover ${hostname}: it is for ${peer.subjectaltname || oneLine(leaf.subject)}.`,
    });
  }
  if (!trusted) {
    problems.push({
      code: 'tls_cert_untrusted',
      message: selfSigned
        ? `The certificate is self-signed (${oneLine(leaf.subject)}), so no client trusts it.`
        : `The certificate's issuer (${oneLine(leaf.issuer)}) is not a trusted CA, or the server does not send its intermediate certificates.`,
    });
  }

  return {
    facts: {
      subject: oneLine(leaf.subject),
      issuer: oneLine(leaf.issuer),
      subjectAltNames: (peer.subjectaltname ?? '').split(', ').filter((s) => s !== ''),
      validFrom: new Date(validFrom).toISOString(),
      validTo: new Date(validTo).toISOString(),
      daysRemaining: Math.floor((validTo - now) / DAY_MS),
      serialNumber: leaf.serialNumber,
      fingerprint256: leaf.fingerprint256,
      selfSigned,
      trusted,
    },
    chain: chain.map((c) => ({ subject: oneLine(c.subject), issuer: oneLine(c.issuer) })),
    problems,
  };
}
