// Where the server's JSON log lines go (stdout, fd 1), written so that a broken or stalled log pipe
// can never hold the process.
//
// Why not pino's default destination: it is a sonic-boom stream that pino flushes synchronously at
// process exit, and sonic-boom's flushSync retries *every* write error, EPIPE included, with a 100 ms
// Atomics.wait between tries, forever. A server whose log reader had gone away (its parent died)
// logged "shutting down", called process.exit(0), and then spun in that exit-time flush: SIGTERM
// seemed ignored until the supervisor's SIGKILL (issue 23). In sync mode the same write would block
// the event loop whenever the reader stops reading. Here instead:
// - writes are asynchronous (fs.write on the thread pool), one at a time, in order;
// - EAGAIN (a full pipe whose reader is slow) waits on a timer, never on the event loop;
// - any other write error (EPIPE, EBADF, ...) means the log is gone: later lines are dropped;
// - at most `maxBufferedBytes` wait; past that, lines are dropped and counted (said once the pipe
//   drains), because a log reader must not be able to grow the server's memory without bound;
// - `flushSync()` (process exit) tries once per pending chunk and gives up at the first error.

import { write, writeSync } from 'node:fs';

export interface LogDestination {
  write(line: string): boolean;
  /** One synchronous attempt to write what is pending; never retries, never throws. */
  flushSync(): void;
  /** The log pipe failed for good (EPIPE and the like): nothing more will be written. */
  broken(): boolean;
  /** Lines dropped because the pipe was broken or too far behind. */
  dropped(): number;
}

export interface LogDestinationOptions {
  fd?: number;
  maxBufferedBytes?: number;
  /** How long to wait before retrying after EAGAIN. */
  retryMs?: number;
}

export function createLogDestination(options: LogDestinationOptions = {}): LogDestination {
  const fd = options.fd ?? 1;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const retryMs = options.retryMs ?? 50;
  const queue: Buffer[] = [];
  let queued = 0;
  let writing = false;
  let isBroken = false;
  let droppedLines = 0;
  let droppedSinceNote = 0;

  const fail = (): void => {
    isBroken = true;
    droppedLines += queue.length;
    queue.length = 0;
    queued = 0;
  };

  const next = (): void => {
    if (writing || isBroken) return;
    if (droppedSinceNote > 0 && queue.length === 0) {
      // The reader caught up after lines were dropped: leave a trace of the gap in the log itself.
      const note = `${JSON.stringify({ level: 40, time: Date.now(), service: 'hookd', dropped: droppedSinceNote, msg: 'log lines dropped: the log reader was too slow' })}\n`;
      droppedSinceNote = 0;
      queue.push(Buffer.from(note));
      queued += Buffer.byteLength(note);
    }
    const chunk = queue[0];
    if (chunk === undefined) return;
    writing = true;
    write(fd, chunk, 0, chunk.length, null, (err, n) => {
      writing = false;
      if (err) {
        if (err.code === 'EAGAIN') {
          // A full pipe: try again later, off the event loop. Not ref'd: pending log lines alone
          // must not keep a stopping process alive.
          setTimeout(next, retryMs).unref();
          return;
        }
        fail();
        return;
      }
      queued -= n;
      if (n < chunk.length) queue[0] = chunk.subarray(n);
      else queue.shift();
      next();
    });
  };

  return {
    write(line) {
      if (isBroken) {
        droppedLines += 1;
        return true;
      }
      const chunk = Buffer.from(line);
      if (queued + chunk.length > maxBuffered) {
        droppedLines += 1;
        droppedSinceNote += 1;
        return true;
      }
      queue.push(chunk);
      queued += chunk.length;
      next();
      return true;
    },
    flushSync() {
      if (isBroken) return;
      // A write may be on the thread pool already; writing its chunk again would duplicate it, so
      // start after it. At exit that one may be lost; a duplicate line would be worse for parsers.
      const pending = writing ? queue.slice(1) : queue.slice();
      for (const chunk of pending) {
        try {
          const n = writeSync(fd, chunk);
          if (n < chunk.length) return;
        } catch {
          return;
        }
      }
      queue.length = writing ? Math.min(queue.length, 1) : 0;
    },
    broken: () => isBroken,
    dropped: () => droppedLines,
  };
}
