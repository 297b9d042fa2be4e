// The README's JavaScript snippets run as written. Each ```js block is saved as a module inside the
// package (so `hookd/...` imports resolve to the built dist/ by package self-reference, as they would
// from node_modules) and started with node; a block that starts an HTTP server gets a signed webhook
// and a forged one. `npm run build` first (as for the CLI tests).

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSecret, signStandardWebhook } from '../src/signature/index.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = join(repo, 'test-output', `readme-snippets-${process.pid}`);

function jsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function post(url: string, body: string, headers: Record<string, string>, failure: () => string | null): Promise<number | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = failure();
    if (failed !== null) throw new Error(failed);
    try {
      return (await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })).status;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blocks = jsBlocks(readFileSync(join(repo, 'README.md'), 'utf8'));

describe('README snippets', () => {
  it('has at least the receiver snippet', () => {
    expect(blocks.some((b) => b.includes("'hookd/receiver'"))).toBe(true);
  });

  it.each(blocks.map((code, i) => ({ i, code })))('snippet $i runs as written', async ({ i, code }) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `snippet-${i}.mjs`);
    writeFileSync(file, code);
    const port = await freePort();
    const secret = generateSecret();
    const child = spawn(process.execPath, [file], { env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve((exitCode = c))));
    const failure = (): string | null => (exitCode === undefined ? null : `the snippet exited (${exitCode}) before answering: ${stderr}`);
    try {
      if (!code.includes('.listen(')) {
        expect(await exited, stderr).toBe(0);
        return;
      }
      const body = JSON.stringify({ type: 'chat.started', timestamp: new Date().toISOString(), data: { chatId: 'c-42' } });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = { 'webhook-id': 'evt_readme', 'webhook-timestamp': String(timestamp) };
      const good = await post(`http://127.0.0.1:${port}/`, body, { ...headers, 'webhook-signature': signStandardWebhook({ secret, id: 'evt_readme', timestamp, body }) }, failure);
      expect(good, stderr).toBe(204);
      const forged = await post(`http://127.0.0.1:${port}/`, body, { ...headers, 'webhook-signature': signStandardWebhook({ secret: generateSecret(), id: 'evt_readme', timestamp, body }) }, failure);
      expect(forged).toBe(401);
      expect(stdout).toContain('chat.started');
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
