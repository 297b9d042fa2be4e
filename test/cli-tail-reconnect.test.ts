// Issue 15 (5): `hookd tail` across a server restart. SIGTERM with a tail connected ends the server
// within its grace (the stream gets a final `shutdown` event and closes); the tail says so, retries
// with bounded backoff while nothing listens, reconnects to the restarted server on the same address
// and goes on printing attempts.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, BIN } from './cli-helpers.js';
import { api, createEndpoint, until } from './faults/support/api.js';
import { ADMIN_KEY, baseEnv, startHookd, stopAll } from './faults/support/hookd-process.js';
import { startRecorder, type Recorder } from './faults/support/recorder.js';

const cleanups: Array<() => unknown> = [];
let recorder: Recorder | null = null;

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0).reverse()) await c();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('hookd tail across a server restart', () => {
  it('ends with the server on SIGTERM, reconnects with backoff to the restarted server, and keeps printing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-tail-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    recorder = await startRecorder();
    const port = await freePort();
    // A long grace: only an open stream could make the server wait for it.
    const env = baseEnv({ HOOKD_DATA_DIR: dir, HOOKD_PORT: String(port), HOOKD_SHUTDOWN_GRACE_MS: '10000' });
    const first = await startHookd('first', env);
    const endpointId = await createEndpoint(first.url, recorder.urlFor('tail'));

    const child = spawn(process.execPath, [BIN, 'tail', '--json'], { env: cleanEnv({ HOOKD_URL: first.url, HOOKD_API_KEY: ADMIN_KEY, XDG_CONFIG_HOME: dir, HOME: dir, NO_COLOR: '1' }), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const tailExit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const attemptsFor = (eventId: string): number => stdout.split('\n').filter((l) => l.includes(`"eventId":"${eventId}"`) && l.includes('"kind":"attempt"')).length;

    // Connected: an attempt shows up.
    await until('the tail to connect', async () => {
      const e = await api(first.url, 'POST', '/v1/events', { type: 'tail.check', data: {} });
      return until('its attempt', () => attemptsFor(e.body.id) > 0, 1500).catch(() => false);
    }, 20_000, 10);

    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stopMs = Date.now() - stoppedAt;
    await until('the tail to notice the shutdown', () => /the server is shutting down; reconnecting in \d+ ms/.test(stderr), 5000);
    // Nothing listens for a while: it keeps retrying, with growing waits, and does not exit.
    await until('two failed reconnects', () => (stderr.match(/disconnected; reconnecting in \d+ ms/g) ?? []).length >= 2, 10_000);
    expect(child.exitCode).toBeNull();
    const waits = [...stderr.matchAll(/reconnecting in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(Math.max(...waits)).toBeLessThanOrEqual(10_000 * 1.2);

    const second = await startHookd('second', env);
    await until('the tail to reconnect', () => /reconnected/.test(stderr), 15_000);
    const after = await api(second.url, 'POST', '/v1/events', { type: 'tail.check', data: { n: 2 } });
    await until('an attempt after the restart', () => attemptsFor(after.body.id) > 0, 15_000);
    console.info(`tail across a restart: server exited ${stopMs} ms after SIGTERM with the tail connected (grace 10 s); reconnect waits ${waits.join(', ')} ms`);
    expect(stopMs).toBeLessThan(5000);

    child.kill('SIGINT');
    expect(await tailExit).toBe(0);
    expect(endpointId).toBeTruthy();
  }, 90_000);
});
