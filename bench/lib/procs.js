// Process plumbing shared by the orchestrator and its children: a request/response protocol over the
// Node IPC channel, free loopback ports, /proc sampling (RSS, CPU) and bounded waits. Every wait here
// has a deadline: a benchmark that hangs is worse than one that fails.

import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every child this process started. If the benchmark dies (an error, Ctrl-C, `timeout`), none of
// them may survive it: an orphaned hookd or load generator would skew every later measurement.
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  if (process.listenerCount(signal) === 0) process.on(signal, () => process.exit(130));
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Fork a helper (receiver, load generator, peer) and talk to it with `call(cmd, args)`. The child
 * answers `{ id, ok, result | error }` through `serveRpc`.
 */
export function forkWorker(modulePath, args = [], options = {}) {
  const child = track(fork(modulePath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options }));
  const pending = new Map();
  let nextId = 1;
  let ready;
  const readyPromise = new Promise((resolve, reject) => {
    ready = { resolve, reject };
  });
  child.on('message', (msg) => {
    if (msg && msg.type === 'ready') return ready.resolve(msg);
    const waiter = pending.get(msg?.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.ok) waiter.resolve(msg.result);
    else waiter.reject(new Error(`${modulePath}: ${msg.error}`));
  });
  child.on('exit', (code, signal) => {
    const err = new Error(`${modulePath} exited (code ${code}, signal ${signal})`);
    ready.reject(err);
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  });
  return {
    child,
    pid: child.pid,
    ready: () => withTimeout(readyPromise, 30_000, `${modulePath} did not start`),
    call(cmd, payload = {}, timeoutMs = 300_000) {
      const id = nextId++;
      const promise = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      child.send({ id, cmd, ...payload });
      return withTimeout(promise, timeoutMs, `${modulePath} ${cmd} timed out after ${timeoutMs} ms`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) === false) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Child side of forkWorker: dispatch `{ id, cmd }` messages to handlers. */
export function serveRpc(handlers, readyInfo = {}) {
  process.on('message', (msg) => {
    const handler = handlers[msg?.cmd];
    if (!handler) {
      process.send({ id: msg?.id, ok: false, error: `unknown command ${msg?.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg))
      .then(
        (result) => process.send({ id: msg.id, ok: true, result }),
        (err) => process.send({ id: msg.id, ok: false, error: err?.stack ?? String(err) }),
      );
  });
  // The parent going away must never leave an orphan hammering loopback.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.send({ type: 'ready', ...readyInfo });
}

export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resident set size of a process in MB (from /proc/<pid>/status VmRSS), or null if it is gone. */
export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, or null if it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces; the fields after the closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Sample RSS of some processes every `everyMs` until stopped; returns the peak sum and the series. */
export function sampleRss(pids, everyMs = 200) {
  let peak = 0;
  const series = [];
  const take = () => {
    let sum = 0;
    for (const pid of pids()) sum += rssMb(pid) ?? 0;
    peak = Math.max(peak, sum);
    series.push(sum);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakMb: peak, samples: series.length };
    },
  };
}

/** Start a plain (non-IPC) process and resolve once `isReady` says so; rejects if it exits first. */
export function spawnProcess(command, args, options = {}) {
  const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

export async function waitUntil(check, { timeoutMs, everyMs = 50, what }) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 1_000_000; i++) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
