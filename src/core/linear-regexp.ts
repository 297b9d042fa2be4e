// The regular-expression engine for schemas that users write (event-type `pattern` and
// `patternProperties`). V8's engine backtracks: `^(a+)+$` against 29 characters held the event loop
// for 25 s. RE2 (here its pure JavaScript port) matches in time linear in the input, always, so a
// hostile schema or payload costs at most a scan. RE2 has no lookaround and no backreferences; a
// schema that uses them is refused when it is saved, with the reason, instead of being run slowly.

import { RE2JS } from 're2js';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';

/** Why `pattern` cannot run on the linear-time engine, or null when it can. */
export function linearPatternProblem(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    return `pattern ${JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern)} is not supported (${reason}): schema patterns run on a linear-time engine (RE2 syntax), which has no lookaround and no backreferences`;
  }
}

/** An ajv `code.regExp` engine: compiles with RE2, tests by search (as RegExp.prototype.test does). */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string): RegExpLike => {
    const problem = linearPatternProblem(pattern);
    if (problem) throw new Error(problem);
    const compiled = RE2JS.compile(pattern);
    // ajv keys its cache of compiled patterns by toString(): without it every pattern would share
    // the key "[object Object]" and run as whichever was compiled first.
    const like: RegExpLike & { toString(): string } = { test: (s: string) => compiled.test(s), toString: () => `re2js:${pattern}` };
    return like;
  },
  // Only read by ajv's standalone code generation, which hookd does not use.
  { code: 're2js' },
);
