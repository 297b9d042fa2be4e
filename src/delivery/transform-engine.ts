// Runs endpoint transforms (user JavaScript) in QuickJS compiled to WebAssembly, not node:vm: vm
// shares the host's heap and prototypes and is no security boundary. A QuickJS runtime has its own
// heap inside the WASM memory, no host objects (no require, process, fetch, timers, I/O) unless we
// pass them in, which we never do: the webhook goes in as a JSON string and comes back as one.
//
// Caps per call: a memory limit on the runtime (an allocation past it throws "out of memory" inside
// the sandbox), a CPU-time cap checked by QuickJS's interrupt handler (an infinite loop is stopped
// there), and a stack limit (deep recursion). The evaluation is synchronous and the interrupt is only
// checked between bytecode instructions, so one long native call (a huge String.prototype.repeat)
// can outlast the cap: this engine therefore runs inside a worker thread (transform-worker.ts) that
// the parent (transform-sandbox.ts) terminates when a call overruns its wall-clock deadline.
//
// Compiled transforms are cached per endpoint version: a runtime + context with the function already
// defined costs milliseconds to build but microseconds to call. A cached context is thrown away after
// any failure (it may be left half-updated by an interrupt) and the cache is bounded (LRU).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten';

/** The outgoing webhook as the transform sees it (and may return it changed). */
export interface OutgoingWebhook {
  event: { id: string; type: string; tenant: string | null; createdAt: string; data: unknown };
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The parsed JSON body, or the body text when it is not JSON (raw payload format). */
  body: unknown;
}

export type TransformOutcome =
  | { kind: 'ok'; webhook: OutgoingWebhook; durationMs: number }
  | { kind: 'cancelled'; durationMs: number }
  | { kind: 'error'; message: string; durationMs: number };

export interface TransformSandboxOptions {
  memoryLimitBytes: number;
  cpuTimeMs: number;
  /** Cached compiled transforms. */
  cacheSize?: number | undefined;
}

export interface TransformEngine {
  /** Run `code` (defining `function transform(webhook)`) on `input`. Never throws. `cacheKey` names the endpoint version. */
  run(cacheKey: string, code: string, input: OutgoingWebhook): Promise<TransformOutcome>;
  /** A compile error of `code` (syntax, no transform function), or null. */
  check(code: string): Promise<string | null>;
  close(): void;
}

/**
 * CPU time of the calling thread in ms. Linux's /proc/thread-self/schedstat (nanoseconds on CPU) is
 * read synchronously on this thread; elsewhere, or when it reads 0 (schedstats off), the process's CPU
 * (all threads: stricter under load, never looser).
 */
let schedstat = true;
function threadCpuMs(): number {
  if (schedstat) {
    try {
      const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ', 1)[0]);
      if (Number.isFinite(ns) && ns > 0) return ns / 1e6;
    } catch {
      // Not Linux.
    }
    schedstat = false;
  }
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

const STACK_LIMIT_BYTES = 256 * 1024;
/** Longest error text kept (it goes into the attempt log). */
const MAX_MESSAGE = 2000;

interface Compiled {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  fn: QuickJSHandle;
  digest: string;
}

let modulePromise: Promise<QuickJSWASMModule> | null = null;
// Loaded once per process, and warmed up: the first run compiles the engine's hot WASM functions,
// which on a busy machine can take longer than a transform's whole CPU allowance.
const loadModule = (): Promise<QuickJSWASMModule> =>
  (modulePromise ??= getQuickJS().then((module) => {
    const runtime = module.newRuntime();
    const context = runtime.newContext();
    const warm = context.evalCode(wrap('function transform(w) { w.body = JSON.parse(JSON.stringify(w.body)); return w; }'));
    if (warm.error) warm.error.dispose();
    else {
      const arg = context.newString(JSON.stringify({ event: {}, url: 'u', method: 'POST', headers: {}, body: { a: [1, 'x'] } }));
      const out = context.callFunction(warm.value, context.undefined, arg);
      arg.dispose();
      (out.error ?? out.value).dispose();
      warm.value.dispose();
    }
    context.dispose();
    runtime.dispose();
    return module;
  }));

// The wrapper defines the user's code inside a function scope and exposes one entry point that
// takes and returns JSON text, so no handle to a sandbox object ever reaches the host.
//
// Binary buffers are removed first: QuickJS allocates ArrayBuffer storage outside the runtime's
// memory accounting, so `new Uint8Array(1 << 30)` would pass the memory cap (and grow the shared
// WASM memory for good). Webhooks are JSON; transforms have no use for them.
const HIDDEN_GLOBALS = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'Float32Array', 'Float64Array', 'Float16Array', 'WeakRef', 'FinalizationRegistry'];
const wrap = (code: string): string => `(function () {
for (const name of ${JSON.stringify(HIDDEN_GLOBALS)}) delete globalThis[name];
})();
(function () {
${code}
;
if (typeof transform !== 'function') throw new TypeError('the code must define function transform(webhook)');
return function (input) {
  const out = transform(JSON.parse(input));
  if (out === null) return 'null';
  if (typeof out !== 'object' || Array.isArray(out)) throw new TypeError('transform must return the webhook object or null, got ' + (Array.isArray(out) ? 'an array' : typeof out));
  return JSON.stringify(out);
};
})()`;

export function createTransformEngine(opts: TransformSandboxOptions): TransformEngine {
  const cacheSize = opts.cacheSize ?? 32;
  const cache = new Map<string, Compiled>();

  const dispose = (c: Compiled): void => {
    try {
      c.fn.dispose();
      c.context.dispose();
      c.runtime.dispose();
    } catch {
      // A runtime that ran out of memory may refuse to free cleanly; it is unreachable either way.
    }
  };

  const drop = (key: string): void => {
    const c = cache.get(key);
    if (c) dispose(c);
    cache.delete(key);
  };

  const errorText = (context: QuickJSContext, handle: QuickJSHandle): string => {
    let dumped: unknown;
    try {
      dumped = context.dump(handle);
    } catch {
      dumped = 'unknown error';
    }
    handle.dispose();
    if (dumped !== null && typeof dumped === 'object') {
      const e = dumped as { name?: unknown; message?: unknown; stack?: unknown };
      const head = `${typeof e.name === 'string' ? e.name : 'Error'}: ${typeof e.message === 'string' ? e.message : JSON.stringify(dumped)}`;
      const where = typeof e.stack === 'string' && e.stack.trim() !== '' ? ` (${e.stack.trim().split('\n')[0]!.trim()})` : '';
      return `${head}${where}`.slice(0, MAX_MESSAGE);
    }
    return `thrown: ${JSON.stringify(dumped) ?? String(dumped)}`.slice(0, MAX_MESSAGE);
  };

  // CPU time, not wall time: on a busy machine the thread can be descheduled for longer than the
  // whole allowance, and a wall-clock cap then fails healthy transforms. The engine runs in a worker
  // thread, so the CPU counted is this thread's (threadCpuMs), not the process's, which includes the
  // main thread's deliveries. A generous wall-clock backstop still ends a run that somehow gets no
  // CPU accounted. The clock is read at most every 2 ms: the handler is called very often.
  const deadlineHandler = (runtime: QuickJSRuntime): (() => void) => {
    const start = threadCpuMs();
    const wallDeadline = performance.now() + Math.max(1000, opts.cpuTimeMs * 20);
    let interrupted = false;
    let lastCheck = 0;
    runtime.setInterruptHandler(() => {
      if (!interrupted) {
        const now = performance.now();
        if (now - lastCheck >= 2) {
          lastCheck = now;
          if (threadCpuMs() - start > opts.cpuTimeMs || now > wallDeadline) interrupted = true;
        }
      }
      return interrupted;
    });
    return () => runtime.removeInterruptHandler();
  };

  /** Build a runtime with the transform defined; throws a readable message on a compile error. */
  const compile = (module: QuickJSWASMModule, code: string, digest: string): Compiled => {
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(opts.memoryLimitBytes);
    runtime.setMaxStackSize(STACK_LIMIT_BYTES);
    const context = runtime.newContext();
    const stop = deadlineHandler(runtime);
    let result;
    try {
      result = context.evalCode(wrap(code), 'transform.js');
    } finally {
      stop();
    }
    if (result.error) {
      const message = overrun(errorText(context, result.error));
      try {
        context.dispose();
        runtime.dispose();
      } catch {
        // See dispose().
      }
      throw new Error(message);
    }
    return { runtime, context, fn: result.value, digest };
  };

  const overrun = (message: string): string => {
    if (/InternalError: interrupted/.test(message)) return `the transform ran longer than its CPU limit of ${opts.cpuTimeMs} ms (${message})`;
    if (/out of memory/i.test(message)) return `the transform exceeded its memory limit of ${Math.round(opts.memoryLimitBytes / 1024 / 1024)} MiB (${message})`;
    if (/stack overflow/i.test(message)) return `the transform overflowed its stack (${message})`;
    return message;
  };

  return {
    async run(cacheKey, code, input) {
      const started = performance.now();
      const elapsed = (): number => performance.now() - started;
      let module: QuickJSWASMModule;
      try {
        module = await loadModule();
      } catch (err) {
        return { kind: 'error', message: `the sandbox could not start: ${err instanceof Error ? err.message : String(err)}`, durationMs: elapsed() };
      }
      const digest = createHash('sha256').update(code).digest('hex');
      let compiled = cache.get(cacheKey);
      if (compiled && compiled.digest !== digest) {
        drop(cacheKey);
        compiled = undefined;
      }
      if (!compiled) {
        try {
          compiled = compile(module, code, digest);
        } catch (err) {
          return { kind: 'error', message: err instanceof Error ? err.message : String(err), durationMs: elapsed() };
        }
        if (cache.size >= cacheSize) drop(cache.keys().next().value!);
        cache.set(cacheKey, compiled);
      } else {
        // Most recently used last.
        cache.delete(cacheKey);
        cache.set(cacheKey, compiled);
      }
      const { context, runtime, fn } = compiled;
      const stop = deadlineHandler(runtime);
      let failed = true;
      try {
        const arg = context.newString(JSON.stringify(input));
        const result = context.callFunction(fn, context.undefined, arg);
        arg.dispose();
        if (result.error) return { kind: 'error', message: overrun(errorText(context, result.error)), durationMs: elapsed() };
        const text = context.getString(result.value);
        result.value.dispose();
        if (text === 'null') {
          failed = false;
          return { kind: 'cancelled', durationMs: elapsed() };
        }
        const out = JSON.parse(text) as Record<string, unknown>;
        const checked = checkReturned(out, input);
        if (typeof checked === 'string') return { kind: 'error', message: checked, durationMs: elapsed() };
        failed = false;
        return { kind: 'ok', webhook: checked, durationMs: elapsed() };
      } catch (err) {
        return { kind: 'error', message: overrun(err instanceof Error ? err.message : String(err)), durationMs: elapsed() };
      } finally {
        stop();
        // A context that failed may hold half-done state (or be out of memory): start fresh next time.
        if (failed) drop(cacheKey);
      }
    },
    async check(code) {
      try {
        const module = await loadModule();
        dispose(compile(module, code, ''));
        return null;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
    close() {
      for (const key of [...cache.keys()]) drop(key);
    },
  };
}

/** The transform's return value as a webhook, or what is wrong with it. Omitted fields keep their input value. */
function checkReturned(out: Record<string, unknown>, input: OutgoingWebhook): OutgoingWebhook | string {
  const url = out.url ?? input.url;
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return 'transform returned an invalid url (a string of 1 to 2048 characters)';
  const method = out.method ?? input.method;
  if (method !== 'POST') return `transform returned method ${JSON.stringify(method)}: webhooks are sent with POST`;
  const headers = out.headers ?? input.headers;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return 'transform returned headers that are not an object of strings';
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string') return `transform returned header ${JSON.stringify(name)} with a non-string value`;
  }
  const body = 'body' in out ? out.body : input.body;
  if (body === undefined) return 'transform returned no body';
  return { event: input.event, url, method, headers: headers as Record<string, string>, body };
}
