// The shutdown bound is real (runtime/shutdown-deadline.ts): a process whose graceful path never
// finishes, because something keeps its event loop busy forever, exits 0 when the bound is reached;
// one whose main thread is stuck in synchronous code is killed by the watchdog thread shortly after.
// Child processes run the built module (npm run build first, as for the other process tests).

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MODULE = new URL('../dist/runtime/shutdown-deadline.js', import.meta.url).href;

function run(body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stdout: string }> {
  const script = `import { armShutdownDeadline } from ${JSON.stringify(MODULE)};\n${body}`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, ms: Date.now() - started, stdout });
    }),
  );
}

describe('the shutdown deadline', () => {
  it('exits 0 at the bound although a ref’d timer would keep the process alive forever', async () => {
    const out = await run(`
      setInterval(() => undefined, 1000);
      armShutdownDeadline({ ms: 300, onExpire: () => process.stdout.write('expired\\n') });
    `);
    expect(out).toMatchObject({ code: 0, signal: null });
    expect(out.stdout).toBe('expired\n');
    expect(out.ms).toBeLessThan(5000);
  });

  it('does nothing once disarmed', async () => {
    const out = await run(`
      const d = armShutdownDeadline({ ms: 200, onExpire: () => process.stdout.write('expired\\n') });
      d.disarm();
      setTimeout(() => { process.stdout.write('graceful\\n'); process.exit(3); }, 1200);
    `);
    expect(out).toMatchObject({ code: 3, stdout: 'graceful\n' });
  });

  it('the watchdog kills a process whose main thread is stuck, shortly after the bound', async () => {
    const out = await run(`
      armShutdownDeadline({ ms: 300, backstopMs: 300 });
      // Give the watchdog thread a moment to start, then never yield again.
      setTimeout(() => { for (;;) {} }, 100);
    `);
    expect(out.signal).toBe('SIGKILL');
    expect(out.ms).toBeLessThan(8000);
  });
});
