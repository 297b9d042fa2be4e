// A progress bar on stderr for long operations (recover in windows, bulk retry). Only on a terminal
// and never with --json: cli-progress writes one line per update otherwise.

import cliProgress from 'cli-progress';

export interface Progress {
  tick(increment?: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

const NOOP: Progress = { tick: () => undefined, stop: () => undefined };

export function createProgress(options: { total: number; label: string; enabled: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (!options.enabled || stream.isTTY !== true || options.total <= 1) return NOOP;
  const bar = new cliProgress.SingleBar(
    { format: `${options.label} |{bar}| {value}/{total} {detail}`, stream, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, { detail: '' });
  let stopped = false;
  return {
    tick: (increment = 1, payload = {}) => bar.increment(increment, payload),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
