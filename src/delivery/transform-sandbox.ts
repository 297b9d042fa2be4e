// Endpoint transforms run in worker threads, each with its own QuickJS engine (transform-engine.ts
// holds the engine and the why of QuickJS). The engine caps memory, stack and CPU inside the
// sandbox, but its CPU interrupt runs only between bytecode instructions: one native call near the
// memory cap (`s = s.repeat(2) + s` in a loop) was measured holding the thread for ~25 s. On the
// main thread that stalled every delivery of the process; in a worker it stalls only that worker,
// and the parent ends it: each call has a wall-clock deadline (the engine's own backstop, 20 times
// the CPU cap and at least 1 s, plus a margin so the engine's precise message wins when it can); a
// call past it is answered with an error, the worker is terminated and a fresh one started.
//
// A small pool (two workers by default): a hostile transform occupies one worker until its deadline
// while the other keeps serving the healthy ones; more would only multiply the engine's memory
// (each worker has its own compiled-module cache) on machines that have few cores anyway. Calls
// queue while all workers are busy; a call goes to the worker that last ran its cache key if idle.
// Idle workers are unref'd, so they never keep the process alive.

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { OutgoingWebhook, TransformOutcome, TransformSandboxOptions } from './transform-engine.js';
import type { WorkerRequest } from './transform-worker.js';

export type { OutgoingWebhook, TransformOutcome } from './transform-engine.js';

export interface TransformSandbox {
  /** Run `code` (defining `function transform(webhook)`) on `input`. Never throws. `cacheKey` names the endpoint version. */
  run(cacheKey: string, code: string, input: OutgoingWebhook): Promise<TransformOutcome>;
  /** A compile error of `code` (syntax, no transform function), or null. */
  check(code: string): Promise<string | null>;
  close(): void;
}

export interface WorkerSandboxOptions extends TransformSandboxOptions {
  /** Worker threads in the pool (default 2). */
  workers?: number | undefined;
}

/** Wall-clock allowance of one call, past which the worker is terminated. */
export const callDeadlineMs = (cpuTimeMs: number): number => Math.max(1000, cpuTimeMs * 20) + 500;

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

type Job = { request: Request; cacheKey: string | null; done: (result: unknown) => void; overrun: (message: string) => void };

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  keys: Set<string>;
  /** Set when the parent terminates it: its exit is expected. */
  ended: boolean;
}

/**
 * How to start the worker: compiled (dist/) it is transform-worker.js beside this file; run from the
 * TypeScript source (vitest, tsx) it is the .ts file, loaded through tsx's ESM hooks registered inside
 * the worker, so tests run the real worker too.
 */
function spawn(workerData: TransformSandboxOptions): Worker {
  const own = import.meta.url;
  if (!own.endsWith('.ts')) return new Worker(new URL('./transform-worker.js', own), { workerData });
  const api = pathToFileURL(createRequire(own).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./transform-worker.ts', own).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

export function createTransformSandbox(opts: WorkerSandboxOptions): TransformSandbox {
  const size = Math.max(1, opts.workers ?? 2);
  const engineOptions: TransformSandboxOptions = { memoryLimitBytes: opts.memoryLimitBytes, cpuTimeMs: opts.cpuTimeMs, cacheSize: opts.cacheSize };
  const deadline = callDeadlineMs(opts.cpuTimeMs);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot): Job | null => {
    const job = slot.job;
    slot.job = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.worker.unref();
    return job;
  };

  const retire = (slot: Slot, message: string): void => {
    slot.ended = true;
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    const job = finish(slot);
    void slot.worker.terminate();
    job?.overrun(message);
    // A worker that died before it was ready would die again: fail what waits instead of looping.
    if (!slot.ready) for (const waiting of queue.splice(0)) waiting.overrun(`the sandbox could not start: ${message}`);
    pump();
  };

  const start = (): Slot => {
    const worker = spawn(engineOptions);
    const slot: Slot = { worker, ready: false, job: null, timer: null, keys: new Set(), ended: false };
    worker.unref();
    worker.on('message', (message: { ready?: true; id?: number; result?: unknown }) => {
      if (message.ready) {
        slot.ready = true;
        pump();
        return;
      }
      const job = finish(slot);
      job?.done(message.result);
      pump();
    });
    const failed = (reason: string): void => {
      if (!slot.ended) retire(slot, `the sandbox worker stopped (${reason})`);
    };
    worker.on('error', (err) => failed(err.message));
    worker.on('exit', (code) => failed(`exit code ${code}`));
    slots.push(slot);
    return slot;
  };

  const dispatch = (slot: Slot, job: Job): void => {
    slot.job = job;
    if (job.cacheKey !== null) slot.keys.add(job.cacheKey);
    slot.worker.ref();
    slot.timer = setTimeout(() => retire(slot, `the transform exceeded its time: still running after ${deadline} ms of wall-clock time, so its worker was stopped`), deadline);
    slot.worker.postMessage({ ...job.request, id: nextId++ });
  };

  function pump(): void {
    if (closed) return;
    while (queue.length > 0) {
      const idle = slots.filter((s) => s.ready && s.job === null);
      if (idle.length === 0) {
        // Start another worker if the pool is not full (it takes the queue when ready).
        if (slots.length < size && slots.every((s) => s.ready)) start();
        return;
      }
      const job = queue[0]!;
      const slot = idle.find((s) => job.cacheKey !== null && s.keys.has(job.cacheKey)) ?? idle[0]!;
      queue.shift();
      dispatch(slot, job);
    }
  }

  const submit = <T>(request: Request, cacheKey: string | null, overrun: (message: string, durationMs: number) => T): Promise<T> => {
    const started = performance.now();
    if (closed) return Promise.resolve(overrun('the sandbox is closed', 0));
    return new Promise<T>((resolve) => {
      queue.push({ request, cacheKey, done: (result) => resolve(result as T), overrun: (message) => resolve(overrun(message, performance.now() - started)) });
      pump();
    });
  };

  return {
    run: (cacheKey, code, input) => submit<TransformOutcome>({ op: 'run', cacheKey, code, input }, cacheKey, (message, durationMs) => ({ kind: 'error', message, durationMs })),
    check: (code) => submit<string | null>({ op: 'check', code }, null, (message) => message),
    close() {
      if (closed) return;
      closed = true;
      for (const slot of [...slots]) retire(slot, 'the sandbox is closed');
      for (const job of queue.splice(0)) job.overrun('the sandbox is closed');
    },
  };
}
