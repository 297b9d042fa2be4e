// The `tcp` step: a bare TCP handshake with the vetted addresses, with its own timeout, so "nothing
// listens" (refused), "a firewall drops the SYN" (connect_timeout) and "the port answers" are told
// apart before TLS or HTTP muddle them. Errors go through the delivery classifier, so the code is the
// one an attempt would record.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { classifyNetworkError } from '../delivery/network-error.js';
import { found, passed, type StepResult } from './report.js';
import type { VettedTarget } from './check-address-dns.js';

/** Resolvers can return many addresses; the sender's happy eyeballs tries a few, so do we. */
const MAX_ADDRESSES = 4;

export interface TcpAttempt {
  address: string;
  ok: boolean;
  ms: number;
  code?: string | undefined;
  error?: string | undefined;
}

/** Node's own shape for a connect that got no answer, so the classifier treats it like the real one. */
function connectTimeoutError(address: string, port: number, ms: number): Error {
  return Object.assign(new Error(`connect ETIMEDOUT ${address}:${port} (no answer within ${ms} ms)`), {
    code: 'ETIMEDOUT',
    syscall: 'connect',
    address,
    port,
  });
}

export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<{ ok: true; ms: number } | { ok: false; ms: number; error: unknown }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (result: { ok: true; ms: number } | { ok: false; ms: number; error: unknown }): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, ms: performance.now() - started, error: connectTimeoutError(address, port, timeoutMs) }), timeoutMs);
    socket.once('connect', () => done({ ok: true, ms: performance.now() - started }));
    socket.once('error', (error) => done({ ok: false, ms: performance.now() - started, error }));
  });
}

export interface TcpResult {
  check: StepResult;
  /** The address that accepted, for the tls step. */
  connected: string | null;
}

export async function checkTcp(target: VettedTarget, connectTimeoutMs: number): Promise<TcpResult> {
  const attempts: TcpAttempt[] = [];
  let firstFailure: { code: ReturnType<typeof classifyNetworkError>['code']; message: string } | null = null;
  for (const address of target.addresses.slice(0, MAX_ADDRESSES)) {
    const result = await tcpConnect(address, target.port, connectTimeoutMs);
    if (result.ok) {
      attempts.push({ address, ok: true, ms: Math.round(result.ms) });
      const others = attempts.length > 1 ? ` (after ${attempts.length - 1} other address(es) failed)` : '';
      return {
        check: passed('tcp', `Port ${target.port} on ${address} accepted a TCP connection in ${Math.round(result.ms)} ms${others}.`, {
          port: target.port,
          connectTimeoutMs,
          attempts,
        }),
        connected: address,
      };
    }
    const classified = classifyNetworkError(result.error);
    firstFailure ??= classified;
    attempts.push({ address, ok: false, ms: Math.round(result.ms), code: classified.code, error: classified.message });
  }
  const failure = firstFailure ?? { code: 'network_error' as const, message: 'No address to connect to.' };
  return {
    check: found('tcp', 'fail', failure.code, failure.message, { port: target.port, connectTimeoutMs, attempts }),
    connected: null,
  };
}
