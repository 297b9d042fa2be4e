// Helpers of the CLI tests: a real hookd server on loopback (the test harness, listening), and the
// BUILT CLI (`node bin/hookd.js`, so `npm run build` first) spawned with a clean environment. Every
// spawned process is bounded by a timeout and killed by its owner in finally/afterEach.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../src/config/settings.js';
import { ADMIN_KEY, createHarness, type Harness } from './helpers/harness.js';

export const BIN = new URL('../bin/hookd.js', import.meta.url).pathname;

export interface TestServer {
  url: string;
  harness: Harness;
  /** Environment for the CLI: this server, the admin key, no colour, an empty config dir. */
  env: Record<string, string>;
  configHome: string;
  close(): Promise<void>;
}

export async function startServer(overrides: Partial<Config> & { env?: Record<string, string> } = {}): Promise<TestServer> {
  const harness: Harness = await createHarness(overrides);
  const address = await harness.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const configHome = mkdtempSync(join(tmpdir(), 'hookd-cli-config-'));
  return {
    url: address,
    harness,
    configHome,
    env: { HOOKD_URL: address, HOOKD_API_KEY: ADMIN_KEY, XDG_CONFIG_HOME: configHome, HOME: configHome, NO_COLOR: '1' },
    async close() {
      await harness.close();
      rmSync(configHome, { recursive: true, force: true });
    },
  };
}

/** process.env without HOOKD_* and colour settings, plus the given variables. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOOKD_') && !['NO_COLOR', 'FORCE_COLOR', 'CI'].includes(k)) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion (killed after timeoutMs). */
export function runCli(args: string[], env: Record<string, string | undefined>, options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookd ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` on stdout (or stderr with `stream`), bounded. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
  /** Resolves with the exit code (bounded; SIGKILL after the timeout). */
  exited(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

/** Start a long-running command (listen, tail, demo); the caller kills it in finally. */
export function startCli(args: string[], env: Record<string, string | undefined>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exitCode: number | null | undefined;
  const exitWaiters: Array<(code: number | null) => void> = [];
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.on('exit', (code) => {
    exitCode = code;
    for (const w of exitWaiters.splice(0)) w(code);
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 15_000, stream = 'stdout') {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(stream === 'stdout' ? out : err);
        if (m) return m;
        if (exitCode !== undefined) throw new Error(`hookd ${args[0]} exited (${exitCode}) before ${pattern}\nstdout: ${out}\nstderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    exited(timeoutMs = 15_000) {
      if (exitCode !== undefined) return Promise.resolve(exitCode);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`hookd ${args[0]} did not exit in ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        exitWaiters.push((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
    kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
    },
  };
}

/** Parse NDJSON output into objects. */
export function ndjson(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}
