// Shared pieces of the doctor tests: real collaborators (SSRF policy with loopback opened, the real
// undici sender and auth provider) and real faulty servers on loopback.

import http from 'node:http';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { createAuthProvider } from '../src/delivery/endpoint-auth.js';
import { createHttpSender } from '../src/delivery/http-sender.js';
import { createSsrfPolicy, type SsrfPolicyOptions } from '../src/delivery/ssrf-policy.js';
import type { DoctorDeps } from '../src/doctor/doctor-deps.js';
import type { Check, DoctorReport, DoctorStep } from '../src/doctor/report.js';
import { listen } from './helpers/delivery-fixtures.js';

export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

export function makeDeps(overrides: Partial<DoctorDeps> = {}, policyOptions: Partial<SsrfPolicyOptions> = {}): DoctorDeps & { close(): Promise<void> } {
  const policy = createSsrfPolicy({ allowPrivate: LOOPBACK, ...policyOptions });
  const sender = createHttpSender({ policy, userAgent: 'hookd-doctor-test' });
  return {
    policy,
    sender,
    auth: createAuthProvider({ sender, policy }),
    checker: createSchemaChecker(),
    now: Date.now,
    connectTimeoutMs: 500,
    userAgent: 'hookd-doctor-test',
    ...overrides,
    close: () => sender.close(),
  };
}

export function stepOf(report: DoctorReport, step: DoctorStep): Check {
  const check = report.checks.find((c) => c.step === step);
  if (!check) throw new Error(`no ${step} check in the report`);
  return check;
}

/** Statuses in step order, e.g. "event:skip address:pass ...", for compact assertions. */
export function statuses(report: DoctorReport): string {
  return report.checks.map((c) => `${c.step}:${c.status}`).join(' ');
}

export type Closer = () => Promise<void>;

/** An HTTP receiver on loopback; the handler sees the fully read body. */
export async function serveHttp(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void,
  closers: Closer[],
): Promise<{ url: string; port: number; requests: Array<{ headers: http.IncomingHttpHeaders; body: Buffer }> }> {
  const requests: Array<{ headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const { port, close } = await listen(server);
  closers.push(close);
  return { url: `http://127.0.0.1:${port}/hook`, port, requests };
}

/** A raw TCP server (for resets and silent peers). */
export async function serveTcp(onSocket: (socket: net.Socket) => void, closers: Closer[]): Promise<number> {
  const { port, close } = await listen(net.createServer(onSocket));
  closers.push(close);
  return port;
}

/**
 * A port whose SYNs go unanswered, without root or a network namespace: a worker thread listens with
 * a backlog of 1 and then blocks its event loop, so it never accepts. Once the kernel's accept queue
 * holds its two connections, Linux drops further SYNs (tcp_abort_on_overflow=0), which is what a
 * dropping firewall looks like to the client: connect times out.
 */
export async function droppingPort(closers: Closer[]): Promise<number> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData, 0, 0); // block: never accept
     });`,
    { eval: true, workerData: gate },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (p: number) => resolve(p));
    worker.once('error', reject);
  });
  const fillers: net.Socket[] = [];
  closers.push(async () => {
    for (const s of fillers) s.destroy();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await worker.terminate();
  });
  // Fill the accept queue until a connect goes unanswered (bounded).
  for (let i = 0; i < 16; i++) {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) {
      socket.destroy();
      return port;
    }
    fillers.push(socket);
  }
  throw new Error('could not fill the accept queue');
}
