// `--set path=value` of `hookd trigger`: change one field of an example before it is published.
// Paths are dotted with optional [n] indexes (customer.name, items[0].sku); the value is JSON when it
// parses as JSON (42, true, {"a":1}, "quoted") and the literal text otherwise. Keys that would reach
// an object's prototype are refused, so a typed path can never change anything but the data.

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export interface PathAssignment {
  path: Array<string | number>;
  value: unknown;
}

export class SetPathError extends Error {}

export function parseAssignment(text: string): PathAssignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SetPathError(`"${text}" is not path=value (e.g. customer.name=Ada)`);
  const rawPath = text.slice(0, eq);
  const rawValue = text.slice(eq + 1);
  return { path: parsePath(rawPath), value: parseValue(rawValue) };
}

export function parsePath(raw: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]/gy;
  let i = 0;
  while (i < raw.length) {
    if (raw[i] === '.' && i > 0) i++;
    re.lastIndex = i;
    const m = re.exec(raw);
    if (!m) throw new SetPathError(`path "${raw}" is not understood at character ${i + 1}`);
    if (m[1] !== undefined) {
      if (FORBIDDEN.has(m[1])) throw new SetPathError(`path "${raw}" uses the reserved key "${m[1]}"`);
      out.push(m[1]);
    } else out.push(Number(m[2]));
    i = re.lastIndex;
  }
  if (out.length === 0) throw new SetPathError('empty path');
  return out;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A copy of `data` with `value` at `path`; missing containers are created (array for a number key). */
export function setPath(data: unknown, assignment: PathAssignment): unknown {
  const root: unknown = structuredClone(data ?? {});
  const wrapper: Record<string, unknown> = { root };
  let node: Record<string | number, unknown> = wrapper;
  let key: string | number = 'root';
  for (const next of assignment.path) {
    let child = node[key];
    if (typeof child !== 'object' || child === null) {
      child = typeof next === 'number' ? [] : {};
      node[key] = child;
    }
    if (typeof next === 'number' && !Array.isArray(child)) throw new SetPathError(`cannot index [${next}]: not an array`);
    node = child as Record<string | number, unknown>;
    key = next;
  }
  if (Array.isArray(node) && typeof key === 'number' && key > node.length) throw new SetPathError(`index [${key}] is past the end of an array of ${node.length}`);
  node[key] = assignment.value;
  return wrapper.root;
}
