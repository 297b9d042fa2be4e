// JSON parsing with precise errors. The fast path is JSON.parse; only when it fails do we run a small
// scanner that finds the line, the column and what was expected there, because V8's messages give a
// position for some mistakes and none for others. The same function serves the publish route, the
// ingress and `hookd doctor payload`, so the messages match everywhere.

export const MAX_JSON_DEPTH = 256;

export interface JsonSyntaxError {
  line: number;
  column: number;
  /** What the parser wanted at that point, in words ("',' or '}'"). */
  expected: string;
  /** What it found ("'\"'", "end of input"). */
  found: string;
  message: string;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError };

export function parseJson(text: string): JsonParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: locateSyntaxError(text) };
  }
  const depthError = checkDepth(text);
  if (depthError) return { ok: false, error: depthError };
  return { ok: true, value };
}

/** Depth is checked on the text so that a hostile body cannot exhaust the stack of later walkers. */
function checkDepth(text: string): JsonSyntaxError | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) {
        const { line, column } = lineColumn(text, i);
        return {
          line,
          column,
          expected: `at most ${MAX_JSON_DEPTH} levels of nesting`,
          found: 'deeper nesting',
          message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels at line ${line}, column ${column}`,
        };
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}

export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const ch = text[i]!;
  if (ch === '\n') return 'a line break';
  const code = ch.charCodeAt(0);
  if (code < 32) return `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
  return `'${ch}'`;
}

type Frame = { kind: 'object'; state: 'key-or-end' | 'key' | 'colon' | 'value' | 'comma-or-end' } | { kind: 'array'; state: 'value-or-end' | 'value' | 'comma-or-end' };

/** Walk the text and report the first position where it stops being JSON. Iterative: no recursion. */
function locateSyntaxError(text: string): JsonSyntaxError {
  let i = 0;
  const stack: Frame[] = [];
  const fail = (at: number, expected: string, found = describe(text, at)): JsonSyntaxError => {
    const { line, column } = lineColumn(text, at);
    return { line, column, expected, found, message: `expected ${expected} at line ${line}, column ${column}, found ${found}` };
  };
  const skipWs = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  // Scans a string starting at text[i] === '"'; returns an error or null (i moves past the string).
  const scanString = (): JsonSyntaxError | null => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return null;
      }
      if (c < 32) return fail(i, "'\"' to close the string (control characters must be escaped)");
      if (c === 92) {
        const e = text[i + 1];
        if (e === undefined) return fail(i + 1, 'an escape character');
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail(i + 2, 'four hex digits after \\u');
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) return fail(i + 1, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        i += 2;
        continue;
      }
      i++;
    }
    return fail(i, "'\"' to close the string");
  };
  const scanNumber = (): JsonSyntaxError | null => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0].length === 0) return fail(i, 'a number');
    i += m[0].length;
    return null;
  };
  // Scans one scalar or opens a container. Returns an error or null.
  const scanValue = (): JsonSyntaxError | null => {
    skipWs();
    const ch = text[i];
    if (ch === undefined) return fail(i, 'a value');
    if (ch === '{') {
      stack.push({ kind: 'object', state: 'key-or-end' });
      i++;
      return null;
    }
    if (ch === '[') {
      stack.push({ kind: 'array', state: 'value-or-end' });
      i++;
      return null;
    }
    if (ch === '"') return scanString();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return scanNumber();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return null;
      }
    }
    if (/[a-z]/i.test(ch)) {
      const word = /^[a-zA-Z]+/.exec(text.slice(i))?.[0] ?? ch;
      const near = ['true', 'false', 'null'].find((w) => w.startsWith(word.slice(0, 2).toLowerCase()));
      return fail(i, near ? `'${near}'` : 'a value (string, number, object, array, true, false or null)', `'${word}'`);
    }
    return fail(i, 'a value (string, number, object, array, true, false or null)');
  };

  const first = scanValue();
  if (first) return first;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    skipWs();
    const ch = text[i];
    if (top.kind === 'object') {
      if (top.state === 'key-or-end' || top.state === 'key') {
        if (ch === '}' && top.state === 'key-or-end') {
          stack.pop();
          i++;
          continue;
        }
        if (ch !== '"') {
          return fail(i, top.state === 'key' ? "a double-quoted property name (no trailing comma)" : "a double-quoted property name or '}'");
        }
        const err = scanString();
        if (err) return err;
        top.state = 'colon';
      } else if (top.state === 'colon') {
        if (ch !== ':') return fail(i, "':' after the property name");
        i++;
        top.state = 'value';
      } else if (top.state === 'value') {
        top.state = 'comma-or-end';
        const err = scanValue();
        if (err) return err;
      } else {
        if (ch === ',') {
          i++;
          top.state = 'key';
        } else if (ch === '}') {
          stack.pop();
          i++;
        } else return fail(i, "',' or '}' after the property value");
      }
    } else {
      if (top.state === 'value-or-end' && ch === ']') {
        stack.pop();
        i++;
        continue;
      }
      if (top.state === 'value-or-end' || top.state === 'value') {
        if (top.state === 'value' && ch === ']') return fail(i, 'a value (no trailing comma)');
        top.state = 'comma-or-end';
        const err = scanValue();
        if (err) return err;
      } else if (ch === ',') {
        i++;
        top.state = 'value';
      } else if (ch === ']') {
        stack.pop();
        i++;
      } else return fail(i, "',' or ']' after the array element");
    }
  }
  skipWs();
  if (i < text.length) return fail(i, 'end of input after the JSON value');
  // JSON.parse failed but the scanner did not: report where V8 says, if it says.
  return fail(text.length, 'valid JSON');
}
