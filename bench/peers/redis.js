// A private redis-server for the peer: its own port and a temporary directory, with the append-only
// file on (fsync every second), so the machine's own Redis (which keeps nothing on disk) is never used.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort, spawnProcess, waitUntil } from '../lib/procs.js';

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.on('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-redis-'));
  const proc = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', dir]);
  await waitUntil(() => ping(port), { timeoutMs: 10_000, what: `redis-server on port ${port}: ${proc.output()}` });
  return {
    port,
    pid: proc.child.pid,
    async stop() {
      if (proc.child.exitCode === null) {
        const exited = new Promise((r) => proc.child.once('exit', r));
        proc.child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
