// JSON containment with PostgreSQL's jsonb `@>` rules, so the SQLite store answers an event search's
// `match` exactly as PostgreSQL's GIN-indexed operator does:
// - an object contains another when every key of the other is present and contains its value;
// - an array contains another when every element of the other is contained by some element
//   (order and duplicates do not matter);
// - scalars contain an equal scalar (numbers by value: 1.0 equals 1);
// - otherwise the kinds must agree (a nested array never contains a bare scalar). The match is
//   always an object (see parseMatch), so PostgreSQL's top-level "array contains a primitive"
//   exception never arises.

export function jsonContains(value: unknown, sub: unknown): boolean {
  if (sub === null || typeof sub !== 'object') return value === sub;
  if (Array.isArray(sub)) {
    if (!Array.isArray(value)) return false;
    return sub.every((s) => value.some((v) => jsonContains(v, s)));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const obj = value as Record<string, unknown>;
  for (const [key, s] of Object.entries(sub as Record<string, unknown>)) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) return false;
    if (!jsonContains(obj[key], s)) return false;
  }
  return true;
}

/**
 * A containment test over JSON texts for a SQL function: the stored payload text is parsed per row,
 * the match text once per distinct match. Unparseable payloads (none are stored, but old rows could
 * predate validation) contain nothing.
 */
export function jsonTextContains(): (payload: string, match: string) => number {
  let lastMatch: string | null = null;
  let parsedMatch: unknown = null;
  return (payload, match) => {
    if (match !== lastMatch) {
      parsedMatch = JSON.parse(match);
      lastMatch = match;
    }
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      return 0;
    }
    return jsonContains(value, parsedMatch) ? 1 : 0;
  };
}
