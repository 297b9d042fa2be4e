// Readiness: can this process do its job right now? The database answers (within a timeout: a hung
// connection must read as "not ready", not hang the probe), and, where this process delivers, the
// dispatcher loop has run recently and attempt results are being written. Liveness (/healthz) checks
// none of this on purpose: restarting a process because the database is down fixes nothing.

import type { Store } from '../store/store.js';

export type CheckStatus = 'ok' | 'fail' | 'off';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<'database' | 'dispatcher' | 'resultWriter', { status: CheckStatus; detail?: string }>;
}

export interface ReadinessCheck {
  check(): Promise<ReadinessReport>;
}

export interface ReadinessOptions {
  store: Pick<Store, 'ping'>;
  /** null when this process does not deliver (role api). */
  dispatcher: { lastLoopAt(): number; writerHealth(): { buffered: number; failingSince: number | null } } | null;
  /** Not ready when the loop has not run, or results have failed to be written, for this long. */
  stallMs: number;
  pingTimeoutMs?: number;
  now: () => number;
}

export function createReadiness(options: ReadinessOptions): ReadinessCheck {
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  return {
    async check() {
      const checks: ReadinessReport['checks'] = { database: { status: 'ok' }, dispatcher: { status: 'off' }, resultWriter: { status: 'off' } };
      try {
        await withTimeout(options.store.ping(), pingTimeoutMs);
      } catch (err) {
        checks.database = { status: 'fail', detail: `The database did not answer: ${err instanceof Error ? err.message : String(err)}` };
      }
      const dispatcher = options.dispatcher;
      if (dispatcher) {
        const now = options.now();
        const loopAge = now - dispatcher.lastLoopAt();
        checks.dispatcher = loopAge > options.stallMs ? { status: 'fail', detail: `The dispatcher loop last ran ${Math.round(loopAge / 1000)} s ago.` } : { status: 'ok' };
        const writer = dispatcher.writerHealth();
        checks.resultWriter =
          writer.failingSince !== null && now - writer.failingSince > options.stallMs
            ? { status: 'fail', detail: `${writer.buffered} attempt results have failed to be written for ${Math.round((now - writer.failingSince) / 1000)} s.` }
            : { status: 'ok' };
      }
      return { ready: Object.values(checks).every((c) => c.status !== 'fail'), checks };
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
