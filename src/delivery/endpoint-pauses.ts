// Retry-After pauses as this process knows them. The store holds the pause for every process (the
// result that carried the 429/503 writes the endpoint's paused_until, and claims skip a paused
// endpoint); this copy only covers the deliveries this process had already claimed when the
// throttle arrived, before that result is committed, so they go back to the store instead of
// hitting the receiver that just asked us to wait. Rate limits are not here: the store hands out
// send slots with each claim (Claim.sendAt), which holds across processes.

export interface EndpointPauses {
  /** Hold back this process's attempts to the endpoint until `until`. */
  pause(endpointId: string, until: number): void;
  pausedUntil(endpointId: string, now: number): number | null;
}

/** Pauses are at most 60 s (the dispatcher caps Retry-After), so the map stays small; bounded anyway. */
const MAX_TRACKED = 100_000;

export function createEndpointPauses(): EndpointPauses {
  const paused = new Map<string, number>();
  return {
    pause(endpointId, until) {
      if (paused.size >= MAX_TRACKED) paused.clear();
      paused.set(endpointId, Math.max(until, paused.get(endpointId) ?? 0));
    },
    pausedUntil(endpointId, now) {
      const until = paused.get(endpointId);
      if (until === undefined) return null;
      if (until <= now) {
        paused.delete(endpointId);
        return null;
      }
      return until;
    },
  };
}
