// TLS options shared by the broker drivers: SNI and certificate check against the URL's host name
// (the socket dials the vetted IP), the endpoint's client certificate, extra CAs added to the roots.

import { rootCertificates } from 'node:tls';
import type { ConnectSpec } from './destination.js';

export function tlsOptions(spec: ConnectSpec): { servername: string; cert?: string; key?: string; ca?: string[] } {
  const tls = spec.tls;
  return {
    servername: spec.hostname,
    ...(tls?.cert ? { cert: tls.cert } : {}),
    ...(tls?.key ? { key: tls.key } : {}),
    ...(tls?.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
  };
}

/** host:port for clients that take a server string, IPv6 in brackets. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
