// Broker connections, one per (address, port, identity, scope), opened on first use and reused by
// every delivery to that broker. A connection that closes or fails is forgotten, so the next send
// opens a fresh one: a broker restart costs the attempts in flight (retried on schedule), never a
// stuck pool.

import { createHash } from 'node:crypto';
import type { ConnectSpec } from './destination.js';

export class ConnectionPool<C> {
  private readonly open = new Map<string, Promise<C>>();
  private closed = false;

  constructor(private readonly end: (conn: C) => Promise<void>) {}

  /** The pooled connection for `key`, opening one with `connect(gone)`; call `gone()` when it dies. */
  get(key: string, connect: (gone: () => void) => Promise<C>): Promise<C> {
    if (this.closed) return Promise.reject(new Error('The broker connections are closed (hookd is shutting down).'));
    const existing = this.open.get(key);
    if (existing) return existing;
    const pending = connect(() => {
      if (this.open.get(key) === pending) this.open.delete(key);
    });
    this.open.set(key, pending);
    pending.catch(() => {
      if (this.open.get(key) === pending) this.open.delete(key);
    });
    return pending;
  }

  get size(): number {
    return this.open.size;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((p) => p.then((c) => this.end(c)).catch(() => undefined)));
  }
}

/** Pool key: the dialled address plus a hash of everything that makes a connection someone else's. */
export function connectionKey(spec: ConnectSpec, scope: string): string {
  const identity = createHash('sha256')
    .update(JSON.stringify([spec.hostname, spec.secure, spec.credentials ?? null, spec.tls ?? null, scope]))
    .digest('hex')
    .slice(0, 32);
  return `${spec.address}|${spec.port}|${identity}`;
}
