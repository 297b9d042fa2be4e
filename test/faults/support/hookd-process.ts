// Real `hookd serve` child processes for the fault tests: start one with an environment, wait for the
// URL it prints, read its JSON log lines, and stop, kill -9, SIGSTOP or SIGCONT it by pid. Every wait
// is bounded; every process a test starts is killed in `stopAll()` even when the test fails.

import { spawn, type ChildProcess } from 'node:child_process';

const BIN = new URL('../../../bin/hookd.js', import.meta.url).pathname;

export const ADMIN_KEY = 'hk_fault_admin_key_0123456789abcdef';
/** A fixed key so every process of one installation seals and opens secrets alike. */
export const SECRET_KEY = 'a1'.repeat(32);

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface HookdProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** Parsed JSON log lines from stdout so far. */
  logs: LogLine[];
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
}

const running = new Set<HookdProcess>();

/** Settings every fault test wants: loopback allowed, short polls, quiet logs but warnings kept. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A developer's own HOOKD_* or DATABASE_URL must not leak into the processes under test.
    if (v !== undefined && !k.startsWith('HOOKD_') && k !== 'DATABASE_URL' && k !== 'PORT') inherited[k] = v;
  }
  return {
    ...inherited,
    NO_COLOR: '1',
    HOOKD_LOG_LEVEL: 'warn',
    HOOKD_ADMIN_KEY: ADMIN_KEY,
    HOOKD_SECRET_KEY: SECRET_KEY,
    HOOKD_ALLOW_PRIVATE: '127.0.0.0/8',
    HOOKD_POLL_INTERVAL_MS: '50',
    HOOKD_LEASE_GRACE_MS: '1000',
    HOOKD_SHUTDOWN_GRACE_MS: '1000',
    HOOKD_API_RATE_LIMIT: '0',
    ...extra,
  };
}

export async function startHookd(name: string, env: Record<string, string>, readyTimeoutMs = 20_000): Promise<HookdProcess> {
  // HOOKD_PORT in `env` picks the port (a restart on the same address); otherwise any free one.
  const child = spawn(process.execPath, [BIN, 'serve', '--port', env.HOOKD_PORT ?? '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let partial = '';
  const logs: LogLine[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no URL within ${readyTimeoutMs} ms; stderr: ${stderr}`)), readyTimeoutMs);
    const onData = (): void => {
      const m = /listening on (https?:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        resolve(m[1]!.replace('://localhost:', '://127.0.0.1:'));
      }
    };
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening: ${stderr}`));
    });
  });
  const proc: HookdProcess = {
    name,
    child,
    pid: child.pid!,
    url,
    logs,
    stderr: () => stderr,
    exited,
    async stop(graceMs = 8_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        running.delete(proc);
        return code;
      }
      running.delete(proc);
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
      running.delete(proc);
    },
  };
  running.add(proc);
  return proc;
}

/** Kill whatever a test left running (afterEach/afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(3_000)));
}

/** Warning-or-worse log lines (pino levels: 40 warn, 50 error, 60 fatal). */
export function warnings(p: HookdProcess): LogLine[] {
  return p.logs.filter((l) => l.level >= 40);
}
