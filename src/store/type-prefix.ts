// A type-prefix filter as a range both stores can walk in an index: every text starting with
// `prefix` sorts (byte-wise, as SQLite's BINARY and PostgreSQL's "C" collation compare) at or after
// the prefix and before the prefix followed by the highest code point. The stores add an exact
// starts-with test as well, so the range only has to be wide enough, never exact.

export function typePrefixRange(prefix: string): { from: string; to: string } {
  return { from: prefix, to: `${prefix}\u{10FFFF}` };
}
