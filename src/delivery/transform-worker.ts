// The worker thread side of the transform sandbox (transform-sandbox.ts starts it). It owns a
// QuickJS engine (transform-engine.ts) with its compiled-module cache and answers one request at a
// time; the parent terminates the whole thread when a request overruns its wall-clock deadline, so
// a native call the in-engine CPU interrupt cannot reach never holds the main event loop.

import { parentPort, workerData } from 'node:worker_threads';
import { createTransformEngine, type OutgoingWebhook, type TransformSandboxOptions } from './transform-engine.js';

export type WorkerRequest = { id: number; op: 'run'; cacheKey: string; code: string; input: OutgoingWebhook } | { id: number; op: 'check'; code: string };

const port = parentPort;
if (port) {
  const engine = createTransformEngine(workerData as TransformSandboxOptions);
  port.on('message', (request: WorkerRequest) => {
    const answer = request.op === 'run' ? engine.run(request.cacheKey, request.code, request.input) : engine.check(request.code);
    void answer.then((result) => port.postMessage({ id: request.id, result }));
  });
  // Load (and warm up) the WASM engine before saying ready, so a call's deadline never counts it.
  void engine.check('function transform(w) { return w; }').then(() => port.postMessage({ ready: true }));
}
