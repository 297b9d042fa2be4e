// The demo's voice: numbered steps and indented details in plain words. On stdout normally; on stderr
// with --json, so stdout carries only the final JSON summary.

import type { Output } from '../output.js';

export interface Narrator {
  step(title: string): void;
  say(text: string): void;
  ok(text: string): void;
  bad(text: string): void;
  app(app: string, text: string): void;
  blank(): void;
}

export function createNarrator(out: Output): Narrator {
  const write = out.json ? out.note : out.line;
  const c = out.json ? out.ec : out.c;
  let n = 0;
  const tags: Record<string, (s: string) => string> = { CRM: c.cyan, Reporting: c.magenta, Supervisor: c.yellow };
  return {
    step(title) {
      n++;
      write('');
      write(c.bold(`${n}. ${title}`));
    },
    say: (text) => write(`   ${text}`),
    ok: (text) => write(`   ${c.green('✓')} ${text}`),
    bad: (text) => write(`   ${c.red('✗')} ${text}`),
    app: (app, text) => write(`   ${(tags[app] ?? c.bold)(`[${app}]`.padEnd(12))} ${text}`),
    blank: () => write(''),
  };
}
