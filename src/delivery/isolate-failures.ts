// Group commit makes one transaction of many callers' writes, and so one bad item (text a store cannot
// hold, a constraint it breaks) would fail every neighbour in its group: 89 of 100 other tenants'
// publishes answered 5xx while one caller sent such items. When a group fails, its items are written
// again one at a time, so the error reaches only the caller whose item caused it.

export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * `write` is all or nothing (one transaction). Returns one outcome per item. Nothing is retried when
 * the group had a single item: its error is the answer.
 */
export async function writeIsolated<T, R>(items: readonly T[], write: (items: T[]) => Promise<R[]>): Promise<Array<ItemOutcome<R>>> {
  let groupError: unknown;
  try {
    const values = await write([...items]);
    return values.map((value) => ({ ok: true, value }));
  } catch (err) {
    if (items.length === 1) return [{ ok: false, error: err }];
    groupError = err;
  }
  const outcomes: Array<ItemOutcome<R>> = [];
  for (const item of items) {
    try {
      const [value] = await write([item]);
      outcomes.push({ ok: true, value: value as R });
    } catch (err) {
      outcomes.push({ ok: false, error: err ?? groupError });
    }
  }
  return outcomes;
}
