// The live stream (GET /v1/stream) read with fetch, because EventSource cannot send the
// Authorization header. One connection serves every view: views subscribe to topics and unsubscribe
// when they unmount. It reconnects with backoff and reports its state for the "Live" indicator.

import { getKey } from './api.js';

/** Parse one SSE block ("event: x\ndata: {...}") into { topic, data } or null (comments, junk). */
export function parseSseBlock(block) {
  let topic = 'message';
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') topic = value;
    else if (name === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  try {
    return { topic, data: JSON.parse(data.join('\n')) };
  } catch {
    return null;
  }
}

export function createStream() {
  const listeners = new Map();
  const stateListeners = new Set();
  let controller = null;
  let state = 'idle';
  let retryMs = 1000;
  let timer = null;
  let stopped = true;

  function setState(next) {
    state = next;
    for (const fn of stateListeners) fn(next);
  }

  function dispatch(message) {
    for (const fn of listeners.get(message.topic) ?? []) {
      try {
        fn(message.data);
      } catch (err) {
        // A broken view must not take the stream down with it.
        console.warn('stream listener failed', err);
      }
    }
  }

  async function run() {
    controller = new AbortController();
    setState('connecting');
    try {
      const res = await fetch('/v1/stream', { headers: { authorization: `Bearer ${getKey()}`, accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      setState('live');
      retryMs = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.search(/\r?\n\r?\n/)) !== -1) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
          const message = parseSseBlock(block);
          if (message) dispatch(message);
        }
      }
      throw new Error('stream ended');
    } catch {
      if (stopped) return;
      setState('reconnecting');
      timer = setTimeout(() => void run(), retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void run();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      setState('idle');
    },
    get state() {
      return state;
    },
    /** subscribe('attempt.recorded', fn) -> unsubscribe */
    on(topic, fn) {
      if (!listeners.has(topic)) listeners.set(topic, new Set());
      listeners.get(topic).add(fn);
      return () => listeners.get(topic)?.delete(fn);
    },
    onState(fn) {
      stateListeners.add(fn);
      fn(state);
      return () => stateListeners.delete(fn);
    },
  };
}
