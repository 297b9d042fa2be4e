// Header lookup that works for node's IncomingHttpHeaders (lower-case keys, string[] for repeats),
// hand-written objects with any casing, and fetch `Headers`.
//
// Repeated headers are joined with ", " exactly as node does for non-special headers, so a
// verifier sees the same string whichever way the caller collected them. Verifiers treat a joined
// value as suspicious (two timestamps are invalid; two signature lines are parsed as candidates).

export type HeaderInput = Readonly<Record<string, string | readonly string[] | number | undefined>> | Headers;

/** Lower-cased names -> values. Garbage input (null, numbers, nested objects) yields no headers. */
export function normalizeHeaders(headers: HeaderInput | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (headers === null || typeof headers !== 'object') return out;
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const previous = out.get(key);
    out.set(key, previous === undefined ? value : `${previous}, ${value}`);
  };
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => add(name, value));
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value === 'string') add(name, value);
    else if (typeof value === 'number') add(name, String(value));
    else if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'string') add(name, item);
    }
  }
  return out;
}

/** The first of `names` that is present (e.g. `webhook-id`, then `svix-id`). */
export function firstHeader(headers: Map<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = headers.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}
