// WAL checkpoints on a worker thread. In WAL mode every commit appends pages to the -wal file, and a
// checkpoint copies them back into the database file, with an fsync of each file. SQLite runs it
// inside the commit that crosses wal_autocheckpoint (1000 pages): the event loop then waits for two
// fsyncs and the copy, several ms, every few hundred deliveries. Measured on a 40,000-delivery drain:
// about 10 us of the ~55 us of wall time per delivery in the store. A second connection on a worker
// thread checkpoints instead; the main connection keeps a higher autocheckpoint as a backstop.
//
// Safe alongside the writer: a PASSIVE checkpoint never waits for (and never blocks) readers or
// writers, it copies what no reader still needs. Durability is unchanged or better: with
// synchronous=NORMAL the WAL is synced before each checkpoint, which now happens more often.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const INTERVAL_MS = 50;
/** The main connection's own autocheckpoint while the worker runs: only if the worker falls behind. */
export const BACKSTOP_PAGES = 4000;
/** SQLite's default, restored when the worker is gone. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

// CommonJS, evaluated (not a file): it runs the same under tsx, vitest and the built dist/.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick retries */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Start checkpointing `path` every 50 ms. `onRunning(true)` once the worker has opened the file,
 * `onRunning(false)` if it stops for any reason (the caller restores SQLite's own checkpoints).
 */
export function startWalCheckpointer(path: string, onRunning: (running: boolean) => void): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { driver, path, intervalMs: INTERVAL_MS } });
  // Never what keeps the process alive; a missed close() just ends the thread with the process.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('message', () => onRunning(true));
  // Failing to open (or dying) costs nothing but the optimisation.
  worker.on('error', () => undefined);
  void exited.then(() => onRunning(false));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
