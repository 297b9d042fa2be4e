// Loopback servers and a throwaway PKI for the delivery tests (sender, auth, network errors).

import type { LookupAddress } from 'node:dns';
import type { Server } from 'node:net';
import net from 'node:net';
import { generate } from 'selfsigned';
import type { LookupFunction } from '../../src/delivery/ssrf-policy.js';

export interface TestPki {
  caCert: string;
  server: { cert: string; key: string };
  expired: { cert: string; key: string };
  notYetValid: { cert: string; key: string };
  otherHost: { cert: string; key: string };
  client: { cert: string; key: string };
  selfSigned: { cert: string; key: string };
}

const DAY = 86_400_000;
const LOCAL_NAMES = [
  { type: 2 as const, value: 'localhost' },
  { type: 7 as const, ip: '127.0.0.1' },
  { type: 7 as const, ip: '::1' },
];

let pki: Promise<TestPki> | undefined;

/** A CA, server certificates (valid, expired, not yet valid, wrong host), a client certificate. EC keys: fast. */
export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const now = Date.now();
    const ca = await generate([{ name: 'commonName', value: 'hookd test CA' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const leaf = async (
      cn: string,
      altNames: typeof LOCAL_NAMES,
      usage: { serverAuth?: boolean; clientAuth?: boolean },
      validity: { notBeforeDate?: Date; notAfterDate?: Date } = {},
    ): Promise<{ cert: string; key: string }> => {
      const pems = await generate([{ name: 'commonName', value: cn }], {
        keyType: 'ec',
        algorithm: 'sha256',
        ca: { key: ca.private, cert: ca.cert },
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', ...usage },
          { name: 'subjectAltName', altNames },
        ],
        ...validity,
      });
      return { cert: pems.cert, key: pems.private };
    };
    const serverAuth = { serverAuth: true };
    const selfSigned = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: LOCAL_NAMES }],
    });
    return {
      caCert: ca.cert,
      server: await leaf('localhost', LOCAL_NAMES, serverAuth),
      expired: await leaf('localhost', LOCAL_NAMES, serverAuth, {
        notBeforeDate: new Date(now - 30 * DAY),
        notAfterDate: new Date(now - DAY),
      }),
      notYetValid: await leaf('localhost', LOCAL_NAMES, serverAuth, {
        notBeforeDate: new Date(now + DAY),
        notAfterDate: new Date(now + 30 * DAY),
      }),
      otherHost: await leaf('other.example', [{ type: 2, value: 'other.example' }], serverAuth),
      client: await leaf('hookd client', [{ type: 2, value: 'hookd-client' }], { clientAuth: true }),
      selfSigned: { cert: selfSigned.cert, key: selfSigned.private },
    };
  })();
  return pki;
}

/**
 * Listen on a loopback port; returns the port and a close() that also destroys open connections.
 * Server-side socket errors (the client resets or aborts on purpose) are swallowed.
 */
export async function listen(server: Server, host = '127.0.0.1', port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  const { port, close } = await listen(server, host);
  await close();
  return port;
}

/** A resolver that answers each call with the next scripted answer (the last one repeats). */
export function scriptedLookup(...answers: (string[] | NodeJS.ErrnoException)[]): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void): void => {
    const answer = answers[Math.min(calls.length, answers.length - 1)] ?? [];
    calls.push(hostname);
    setImmediate(() => {
      if (answer instanceof Error) callback(answer, []);
      else callback(null, answer.map((address) => ({ address, family: net.isIP(address) })));
    });
  };
  return Object.assign(lookup, { calls });
}

export function dnsError(code: string, hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, syscall: 'getaddrinfo', hostname });
}
