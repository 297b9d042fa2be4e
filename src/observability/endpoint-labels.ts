// Bounded `endpoint` label values. An installation can have a hundred thousand endpoints, and a
// Prometheus series per endpoint per bucket would swamp the server, so only the N busiest endpoints
// (by attempts seen by this process) get their own label value; the rest share `other`.
//
// Why sticky with periodic re-ranking rather than recomputing the top N on every observation: a
// counter series must only go up. An endpoint keeps its label between re-rankings; at a re-ranking
// (at most once per `rerankIntervalMs`, on scrape) endpoints that fell out of the top N lose their
// series (removed, so Prometheus sees them end) and the new leaders start fresh series. `other`
// never decreases: what an endpoint counted there stays there.

export const OTHER_ENDPOINTS = 'other';

export interface EndpointLabels {
  /** The label value for this endpoint; counts one attempt for the ranking. */
  observe(endpointId: string): string;
  /** The label value without counting (gauges). */
  labelOf(endpointId: string): string;
  /** Re-rank if due; returns the endpoints that lost their label (their series should be removed). */
  rerank(now: number): string[];
  labelled(): ReadonlySet<string>;
}

export function createEndpointLabels(options: { topN: number; rerankIntervalMs: number; maxTracked?: number }): EndpointLabels {
  const { topN } = options;
  // Attempt counts per endpoint. Bounded: beyond maxTracked the least-counted half is forgotten (they
  // were not close to the top anyway), so a process with millions of one-shot endpoints stays small.
  const maxTracked = options.maxTracked ?? Math.max(10_000, topN * 20);
  const counts = new Map<string, number>();
  const labelled = new Set<string>();
  let lastRerank = Number.NEGATIVE_INFINITY;

  const trim = (): void => {
    if (counts.size <= maxTracked) return;
    const sorted = [...counts.entries()].filter(([id]) => !labelled.has(id)).sort((a, b) => a[1] - b[1]);
    for (const [id] of sorted.slice(0, Math.floor(sorted.length / 2))) counts.delete(id);
  };

  return {
    observe(endpointId) {
      counts.set(endpointId, (counts.get(endpointId) ?? 0) + 1);
      if (counts.size > maxTracked) trim();
      if (labelled.has(endpointId)) return endpointId;
      // Free slots go to whoever shows up first; re-ranking sorts it out later.
      if (labelled.size < topN) {
        labelled.add(endpointId);
        return endpointId;
      }
      return OTHER_ENDPOINTS;
    },
    labelOf(endpointId) {
      return labelled.has(endpointId) ? endpointId : OTHER_ENDPOINTS;
    },
    rerank(now) {
      if (now - lastRerank < options.rerankIntervalMs) return [];
      lastRerank = now;
      // Ties keep the incumbent, so equal endpoints do not swap series on every scrape.
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || Number(labelled.has(b[0])) - Number(labelled.has(a[0])) || (a[0] < b[0] ? -1 : 1));
      const top = new Set(ranked.slice(0, topN).map(([id]) => id));
      const dropped = [...labelled].filter((id) => !top.has(id));
      labelled.clear();
      for (const id of top) labelled.add(id);
      return dropped;
    },
    labelled: () => labelled,
  };
}
