// Closing the HTTP server within a hard bound. Node's server.close() stops accepting and closes idle
// keep-alive connections (a connection that sent only part of its headers counts as idle), but it
// waits for every request in progress. So: first end what never ends by itself (streams, long-polls:
// shutdown-registry.ts), then close, and when the grace is over cut whatever is still open
// (closeAllConnections): a slow upload or a client that never reads its answer must not hold the
// process. Requests that finish within the grace are answered normally.

import type { FastifyInstance } from 'fastify';
import type { ShutdownRegistry } from '../core/shutdown-registry.js';

const IDLE_SWEEP_MS = 50;

export interface CloseHttpOptions {
  app: FastifyInstance;
  registry: ShutdownRegistry;
  graceMs: number;
  /** After the grace and closeAllConnections, how long to wait for the close to complete. */
  settleMs?: number;
  onForced?: (open: number) => void;
}

export async function closeHttp(options: CloseHttpOptions): Promise<void> {
  const { app, registry, graceMs } = options;
  registry.close();
  const closed = app.close();
  const server = app.server;
  // close() cuts the connections idle at that moment only. A keep-alive connection whose request
  // finishes later (a long-poll just answered) stays open, idle, until the grace is over: cut those
  // as they become idle.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace'>((resolve) => {
    timer = setTimeout(() => resolve('grace'), graceMs);
  });
  const first = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (first === 'closed') return;
  options.onForced?.(await openConnections(server));
  server.closeAllConnections();
  // Sockets destroyed, the close completes on the next turns of the loop; bounded all the same.
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500))]);
}

function openConnections(server: FastifyInstance['server']): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, count) => resolve(err ? -1 : count)));
}
