// Issue 23 (2, 3) and issue 15 (5): SIGTERM ends a real `hookd serve` process within
// HOOKD_SHUTDOWN_GRACE_MS plus the documented bound, with exit 0, whatever is open: an SSE stream
// (which gets a final `shutdown` event, then ends), a pending long-poll (answered at once with the
// feed's normal empty page), a connection that sent half its headers, a request whose body never
// finishes, an idle keep-alive connection, an attempt to a receiver that never answers; and when
// the log pipe's reader has gone away, or stdout was closed before the start.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_EXTRA_MS } from '../src/runtime/shutdown-deadline.js';
import { ADMIN_KEY, baseEnv, startHookd, stopAll, type HookdProcess } from './faults/support/hookd-process.js';
import { api, createEndpoint, until } from './faults/support/api.js';
import { startRecorder, type Recorder } from './faults/support/recorder.js';

const GRACE_MS = 2000;
/** The promise (grace + SHUTDOWN_EXTRA_MS), and a margin for a loaded machine's process exit. */
const BOUND_MS = GRACE_MS + SHUTDOWN_EXTRA_MS + 1500;

const BIN = new URL('../bin/hookd.js', import.meta.url).pathname;
const cleanups: Array<() => unknown> = [];
let recorder: Recorder | null = null;

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-stop-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function server(extra: Record<string, string> = {}): Promise<HookdProcess> {
  return startHookd('server', baseEnv({ HOOKD_DATA_DIR: tempDir(), HOOKD_SHUTDOWN_GRACE_MS: String(GRACE_MS), ...extra }));
}

/** SIGTERM, then how long until the process exited, and its exit code. */
async function term(p: HookdProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  p.child.kill('SIGTERM');
  const code = await Promise.race([p.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
  if (code === 'hung') throw new Error(`still running 20 s after SIGTERM`);
  const ms = Date.now() - started;
  console.info(`${expect.getState().currentTestName}: exit ${code} ${ms} ms after SIGTERM`);
  return { code, ms };
}

function rawSocket(url: string, send: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(send);
      resolve(socket);
    });
    socket.on('error', reject);
    cleanups.push(() => socket.destroy());
  });
}

/** Reads an SSE response as text until it ends; resolves with everything read and when it ended. */
async function openStream(url: string): Promise<{ ended: Promise<{ text: string; at: number }>; received: () => string }> {
  const res = await fetch(`${url}/v1/stream`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  let text = '';
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    } catch (err) {
      text += `\n[stream error: ${(err as Error).message}]`;
    }
    return { text, at: Date.now() };
  })();
  await until('the connected comment', () => text.includes(': connected'), 5000, 10);
  return { ended, received: () => text };
}

describe('SIGTERM ends hookd within grace + bound, exit 0', () => {
  it('with an SSE stream open: the stream gets a final shutdown event and ends at once', async () => {
    const p = await server({ HOOKD_SHUTDOWN_GRACE_MS: '10000' });
    const stream = await openStream(p.url);
    const sent = Date.now();
    const { code, ms } = await term(p);
    const end = await stream.ended;
    expect(code).toBe(0);
    expect(end.text).toContain('event: shutdown');
    expect(end.text).toContain('retry: 1000');
    expect(end.text).not.toContain('[stream error');
    // Nothing else was open, so neither the stream nor the process waited for the 10 s grace.
    expect(end.at - sent).toBeLessThan(3000);
    expect(ms).toBeLessThan(5000);
  });

  it('with a pending long-poll (wait=30): answered promptly with the normal empty page', async () => {
    const p = await server({ HOOKD_SHUTDOWN_GRACE_MS: '10000' });
    const poll = api(p.url, 'GET', '/v1/events?wait=30', undefined, 40_000).then((a) => ({ ...a, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    const { code, ms } = await term(p);
    const answer = await poll;
    expect(code).toBe(0);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ data: [], done: true });
    expect(typeof answer.body.nextCursor).toBe('string');
    expect(answer.at - sent).toBeLessThan(3000);
    expect(ms).toBeLessThan(5000);
  });

  it('with a connection that sent half its headers, and an idle keep-alive connection', async () => {
    const p = await server();
    const half = await rawSocket(p.url, 'GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthoriz');
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      httpRequest(`${p.url}/healthz`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const { code, ms } = await term(p);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(half.destroyed || half.readableEnded || (await closedWithin(half, 1000))).toBe(true);
  });

  it('with a request whose body never finishes: cut when the grace is over', async () => {
    const p = await server();
    await rawSocket(p.url, `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"a.b",`);
    await new Promise((r) => setTimeout(r, 200));
    const { code, ms } = await term(p);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('with all of these at once and an attempt to a receiver that never answers', async () => {
    recorder = await startRecorder();
    const rec = recorder;
    rec.answer(() => 'hold');
    const p = await server();
    await createEndpoint(p.url, rec.urlFor('slow'), { timeoutMs: 30_000 });
    expect((await api(p.url, 'POST', '/v1/events', { type: 'a.b', data: {} })).status).toBe(202);
    await until('the attempt on the wire', () => rec.inFlight() === 1, 10_000);
    const stream = await openStream(p.url);
    const poll = api(p.url, 'GET', '/v1/events?wait=30&after=' + encodeURIComponent((await api(p.url, 'GET', '/v1/events?limit=100')).body.nextCursor), undefined, 40_000).catch((err: Error) => ({ status: -1, body: err.message }));
    await rawSocket(p.url, 'GET /healthz HTTP/1.1\r\nHo');
    await new Promise((r) => setTimeout(r, 300));
    const { code, ms } = await term(p);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
    expect((await stream.ended).text).toContain('event: shutdown');
    expect((await poll).status).toBe(200);
  });
});

describe('a broken log pipe does not hold SIGTERM', () => {
  it('exits promptly when the log reader has gone away (EPIPE on every line)', async () => {
    const p = await server({ HOOKD_LOG_LEVEL: 'info' });
    p.child.stdout!.destroy();
    // Lines written after the reader left (each write fails with EPIPE), then the shutdown lines.
    for (let i = 0; i < 5; i += 1) await api(p.url, 'GET', '/v1/nope');
    const { code, ms } = await term(p);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('exits promptly when it was started with stdout closed', async () => {
    const dir = tempDir();
    const env = baseEnv({ HOOKD_DATA_DIR: dir, HOOKD_LOG_LEVEL: 'info', HOOKD_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    // `>&-`: fd 1 is closed before node starts.
    const child = spawn('/bin/sh', ['-c', `exec "${process.execPath}" "${BIN}" serve --port 0 >&-`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await until('the URL', () => /listening on (http:\S+)/.exec(stderr), 20_000);
    const url = /listening on (http:\S+)/.exec(stderr)![1]!.replace('localhost', '127.0.0.1');
    for (let i = 0; i < 5; i += 1) await api(url, 'GET', '/v1/nope');
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(BOUND_MS);
  });
});

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(socket.destroyed), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
