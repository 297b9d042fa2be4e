// The source text of values inside a JSON document. A published event's `data` is kept as the caller
// wrote it, not as JSON.parse + JSON.stringify would rewrite it: that round trip turns 1e400 into null
// and 9007199254740993 into 9007199254740992, silently changing what a user published. Only
// insignificant white space is dropped (compactJson), so numbers, escapes and key order are exact.
//
// The input has already passed JSON.parse, so the scanner here can assume valid JSON and stay small.

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

function skipWs(text: string, i: number): number {
  while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at `i` (a '"'). */
function endOfString(text: string, i: number): number {
  // indexOf runs natively; a quote preceded by an odd number of backslashes is escaped.
  let j = text.indexOf('"', i + 1);
  while (j !== -1) {
    let slashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 0x5c; k--) slashes++;
    if (slashes % 2 === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return text.length;
}

/** Index just past the value starting at `i` (white space already skipped). */
function endOfValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return endOfString(text, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 0x22) j = endOfString(text, j) - 1;
      else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !WS.has(text.charCodeAt(j)) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j++;
  return j;
}

/** Spans of the values at `path` below the value starting at `i`; '*' walks every array element. */
function collect(text: string, i: number, path: ReadonlyArray<string>, out: Array<[number, number] | undefined>): void {
  if (path.length === 0) {
    out.push([i, endOfValue(text, i)]);
    return;
  }
  const [step, ...rest] = path as [string, ...string[]];
  const c = text.charCodeAt(i);
  if (step === '*') {
    if (c !== 0x5b) return;
    let j = skipWs(text, i + 1);
    if (text[j] === ']') return;
    for (;;) {
      const before = out.length;
      collect(text, j, rest, out);
      if (out.length === before) out.push(undefined);
      j = skipWs(text, endOfValue(text, j));
      if (text[j] !== ',') return;
      j = skipWs(text, j + 1);
    }
  }
  if (c !== 0x7b) return;
  let j = skipWs(text, i + 1);
  // JSON.parse keeps the last of duplicate keys; so does this.
  let found: number | null = null;
  while (text[j] === '"') {
    const keyEnd = endOfString(text, j);
    const key = JSON.parse(text.slice(j, keyEnd)) as string;
    j = skipWs(text, skipWs(text, keyEnd) + 1);
    if (key === step) found = j;
    j = skipWs(text, endOfValue(text, j));
    if (text[j] !== ',') break;
    j = skipWs(text, j + 1);
  }
  if (found !== null) collect(text, found, rest, out);
}

/**
 * The exact text of each value at `path` in the JSON document `text`, compacted. `['data']` is the
 * top-level member `data`; `['events', '*', 'data']` is `data` of every element of `events` (an
 * element without one gives undefined). Duplicate keys resolve to the last, as JSON.parse does.
 */
export function jsonTextsAt(text: string, path: ReadonlyArray<string>): Array<string | undefined> {
  const out: Array<[number, number] | undefined> = [];
  collect(text, skipWs(text, 0), path, out);
  return out.map((span) => (span ? compactJson(text.slice(span[0], span[1])) : undefined));
}

/** JSON text without white space outside strings; everything else byte for byte. */
export function compactJson(text: string): string {
  let hasWs = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = endOfString(text, i) - 1;
    else if (WS.has(c)) {
      hasWs = true;
      break;
    }
  }
  if (!hasWs) return text;
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = endOfString(text, i) - 1;
    else if (WS.has(c)) {
      out += text.slice(start, i);
      start = i + 1;
    }
  }
  return out + text.slice(start);
}
