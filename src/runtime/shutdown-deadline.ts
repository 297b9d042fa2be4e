// The hard bound on shutdown. Once a stop signal arrives the process exits within `ms`, whatever is
// still open or pending:
// - a ref'd timer calls process.exit when the graceful path has not finished by then (a timer that is
//   unref'd, or one that only resolves a promise, is no bound: the graceful path may be waiting on
//   something that never comes);
// - a watchdog thread SIGKILLs the process `backstopMs` after that, for the case a timer cannot
//   help: the main thread stuck in synchronous code (this is how the broken-log-pipe exit loop of
//   issue 23 looked from outside). It is a last resort; with the fixes of that issue nothing in hookd
//   is known to get there.

import { Worker } from 'node:worker_threads';

/**
 * What a stop may take beyond HOOKD_SHUTDOWN_GRACE_MS: cutting the connections still open, giving
 * back unfinished claims, closing the database. docs/operations.md promises grace + this.
 */
export const SHUTDOWN_EXTRA_MS = 2000;

export interface ShutdownDeadline {
  /** The graceful path finished: nothing to force. */
  disarm(): void;
}

export interface DeadlineOptions {
  ms: number;
  /** Called when the bound is reached, right before process.exit (log a line). */
  onExpire?: () => void;
  exitCode?: number;
  /** Extra time the watchdog thread gives the main thread to exit on its own. */
  backstopMs?: number;
}

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const cell = new Int32Array(new SharedArrayBuffer(4));
Atomics.wait(cell, 0, 0, workerData.ms);
process.kill(workerData.pid, 'SIGKILL');
`;

export function armShutdownDeadline(options: DeadlineOptions): ShutdownDeadline {
  const timer = setTimeout(() => {
    try {
      options.onExpire?.();
    } finally {
      process.exit(options.exitCode ?? 0);
    }
  }, options.ms);
  let watchdog: Worker | null = null;
  try {
    // execArgv: [] so that flags of the main process (--input-type=module) cannot change how the
    // watchdog's script is read.
    watchdog = new Worker(WATCHDOG, { eval: true, execArgv: [], workerData: { ms: options.ms + (options.backstopMs ?? 2000), pid: process.pid } });
    // The watchdog must never be what keeps the process alive, nor crash it.
    watchdog.unref();
    watchdog.on('error', () => undefined);
  } catch {
    watchdog = null;
  }
  return {
    disarm() {
      clearTimeout(timer);
      void watchdog?.terminate();
    },
  };
}
