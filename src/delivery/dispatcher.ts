// The dispatcher's loop: claim -> attempt -> record -> schedule, plus wake-ups, back-off and stop.
// State lives in the store (deliveries are rows with next_attempt_at and leases); this loop only holds
// what is in flight. Each attempt is one call of the attempt pipeline (attempt-pipeline.ts), where the
// transport (the Sender) plugs in. Results are written in groups (result-writer.ts), fenced by the
// lease token, so a worker that lost its lease cannot move a delivery backwards.

import type { Logger } from 'pino';
import type { Attempt, Endpoint } from '../core/types.js';
import { DEFAULT_RATE_HOLD_MS, type AttemptResult, type Claim, type DeliveryUpdate, type NewEvent, type Store } from '../store/store.js';
import type { EventBus } from '../core/event-bus.js';
import type { Publisher } from './publisher.js';
import { createEndpointPauses } from './endpoint-pauses.js';
import type { SigningKeyService } from './signing-key-service.js';
import { createResultWriter, type ResultWriter } from './result-writer.js';
import { createAttemptPipeline } from './attempt-pipeline.js';
import type { TransformRunner } from './transform-runner.js';
import type { AuthProvider, Sender } from './sender-types.js';

/** A send later than its slot by more than max(one rate interval, this) is re-slotted, not sent late. */
const LATE_SLOT_MIN_MS = 100;

/**
 * A rate-limited endpoint's claims carry send slots up to this far ahead (ClaimRequest.rateHoldMs);
 * the attempt waits in memory for its slot. Longer waits (a pause) go back to the store.
 */
const MAX_HOLD_MS = DEFAULT_RATE_HOLD_MS;
/**
 * When due work exists but nothing could be claimed (endpoints at their concurrency cap, paused, or
 * out of rate slots), poll with a growing interval up to this, instead of every 5 ms: a finishing
 * attempt or a publish wakes the loop at once anyway. Below MAX_HOLD_MS, so a rate-limited endpoint
 * is claimed again before the slots it holds run out.
 */
const MAX_IDLE_BACKOFF_MS = 250;
/**
 * A busy dispatcher claims in batches: with less room than minClaim (a quarter of the process's
 * concurrency, at most claimBatch) and attempts in flight, it waits for more room, up to this long
 * after its last claim. Without it, every committed result group woke a claim for exactly the room
 * that group freed (bench/ burst-fanout: 54-56 deliveries a claim, one result group's worth), and
 * each claim costs something of its own beside its rows (the due-row walks, a transaction). With
 * it: 94-112 a claim; bench/ --against, CPU per delivery drained from a backlog 0.95x (SQLite) and
 * 0.92x (PostgreSQL; its server 0.90x), burst-fanout 0.94-0.97x. Bounded, so attempts that hold
 * most of the room for long (a never-answering endpoint) delay the rest by this much at most.
 */
const CLAIM_GATHER_MS = 20;

export interface DispatcherOptions {
  store: Store;
  sender: Sender;
  auth: AuthProvider;
  publisher: Publisher;
  bus: EventBus;
  logger: Logger;
  owner: string;
  userAgent: string;
  concurrency: number;
  claimBatch: number;
  /** How long a busy dispatcher waits for room for a batch (CLAIM_GATHER_MS; tests set it). */
  claimGatherMs?: number | undefined;
  pollIntervalMs: number;
  leaseGraceMs: number;
  connectTimeoutMs: number;
  failingPeriodMs: number;
  /** The tenants' ed25519 keys (endpoints with signing 'ed25519' or 'both'). */
  signingKeys?: SigningKeyService | undefined;
  now?: () => number;
  random?: () => number;
  /** Called with each recorded attempt and the delivery's next state (metrics). */
  onAttempt?: (attempt: Attempt, endpoint: Endpoint, update: DeliveryUpdate) => void;
  /** Endpoint transforms (transform-runner.ts); without it, transforms are not applied. */
  transforms?: TransformRunner | undefined;
  /** Wraps each attempt (tracing: the attempt runs inside its span). */
  traceAttempt?: (claim: Claim, run: () => Promise<AttemptResult>) => Promise<AttemptResult>;
}

export interface Dispatcher {
  start(): void;
  /** New due work may exist: look now instead of at the next poll. */
  wake(): void;
  deliverNow(deliveryId: string): Promise<Attempt | null>;
  /** Stop claiming, let in-flight attempts finish for up to graceMs, release the rest. */
  stop(graceMs: number): Promise<void>;
  inFlight(): number;
  /** Time of the last completed loop iteration (health). */
  lastLoopAt(): number;
  /** Results finished but not yet written, and since when writing them has been failing (health). */
  writerHealth(): { buffered: number; failingSince: number | null };
}

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const { store, logger } = opts;
  const pauses = createEndpointPauses();
  const inflight = new Map<string, { claim: Claim; done: Promise<void> }>();
  let running = false;
  let stopping = false;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  let loopDone: Promise<void> = Promise.resolve();
  let lastLoop = now();
  let dbBackoffMs = 0;
  let idleBackoffMs = 0;
  // Whether the loop's last look left claimable work for later: it is waiting for room (the
  // process's concurrency), or due deliveries were left unclaimed (an endpoint at its cap, paused or
  // out of rate slots), so a committed result may have freed what it waits for. False once it found
  // nothing due: then a plain finished delivery frees nothing, and waking for it cost a claim and a
  // next-due query that find nothing (bench/ paced: 0.76 of each a delivery, on SQLite each claim a
  // write transaction).
  let roomWanted = true;
  // Attempts in flight per endpoint, for results a claim waits for (roomWaitedFor below).
  const inflightByEndpoint = new Map<string, number>();
  // Read once: capabilities do not change, and `store` is wrapped in proxies read per result.
  const inProcessCommits = store.capabilities.inProcessCommits === true;
  // endpoint.disabled events the store wrote with a result (announceDisabled), by delivery id, so
  // that listeners can be told once the result is committed.
  const disabledAnnouncements = new Map<string, NewEvent>();
  const announceCommitted = (eventId: string): void => {
    store
      .getEvent(eventId, undefined)
      .then((record) => record && opts.publisher.announce([record]))
      .catch((err: unknown) => logger.warn({ err: (err as Error).message, eventId }, 'could not read back an announcement to notify listeners'));
  };

  const writer: ResultWriter = createResultWriter({
    store,
    logger,
    now,
    // The result of an endpoint that this process holds at its maxConcurrency, while due work
    // waits: the loop claims as soon as the result is committed (onApplied), so it need not wait
    // for a fuller group. bench/ burst-1x on SQLite against the commit before it: 1.08x, 1.11x
    // (5 pairs) deliveries/s, CPU per delivery 1.02x; one run against an older reference gave 0.98x
    // with 1.16x CPU (docs/performance.md, part seven). Not merely because the process's own
    // concurrency binds (many endpoints' results then arrive together anyway; writing every result
    // sooner split burst-fanout's groups: 0.95x deliveries/s, 1.05x CPU), nor for an endpoint with
    // room (a black-hole endpoint at its cap would make every healthy result its own commit), nor
    // where a commit is a round trip (StoreCapabilities.inProcessCommits).
    roomWaitedFor: (claim) =>
      inProcessCommits && roomWanted && (inflightByEndpoint.get(claim.endpoint.id) ?? 0) >= claim.endpoint.maxConcurrency,
    onApplied: (result, outcome, claim) => {
      // Claim again now, not when the attempt finished: an endpoint's room (its live 'sending'
      // rows) only frees once the result is committed, so a claim per finished attempt mostly
      // found nothing and cost a write transaction each (bench/: ~40% of hookd's time in
      // burst-fanout). One wake per committed group claims what the whole group freed. A result
      // that frees nothing claimable (see freesWork) wakes only a loop that is waiting for room.
      if (wakeUp && (roomWanted || freesWork(result))) wake();
      const a = result.attempt;
      opts.bus.emit('attempt.recorded', {
        id: a.id,
        deliveryId: a.deliveryId,
        endpointId: a.endpointId,
        eventId: a.eventId,
        tenant: a.tenant,
        code: a.code,
        responseStatus: a.responseStatus,
        durationMs: a.durationMs,
        status: result.update.status,
        createdAt: a.createdAt,
      });
      opts.onAttempt?.(a, claim.endpoint, result.update);
      if (result.emit.length > 0) opts.bus.emit('work.available', {});
      if (outcome.endpointDisabled) {
        const ep = claim.endpoint;
        logger.warn({ endpointId: ep.id, reason: outcome.endpointDisabled, code: a.code }, 'endpoint disabled');
        opts.bus.emit('endpoint.state', { endpointId: ep.id, tenant: ep.tenant, enabled: false, disabledReason: outcome.endpointDisabled });
        // endpoint.disabled was written by the store with this result (announceDisabled).
        const announced = disabledAnnouncements.get(result.deliveryId);
        if (announced) announceCommitted(announced.id);
      }
      disabledAnnouncements.delete(result.deliveryId);
    },
    // A dropped result's endpoint.disabled announcement was never written: nothing will announce it.
    onDropped: (result) => disabledAnnouncements.delete(result.deliveryId),
    onStale: (result) => {
      disabledAnnouncements.delete(result.deliveryId);
      if (wakeUp) wake();
      logger.warn({ deliveryId: result.deliveryId, leaseToken: result.leaseToken }, 'stale attempt result rejected (lease lost)');
    },
  });

  /**
   * Whether a committed result can make something claimable by itself: a retry it schedules (the
   * loop's sleep was set by the next due time before it), a pause (the next due time moves), an
   * ordering key it unblocks, a disabling. A delivery that simply ended frees only its endpoint's
   * room, which matters only when roomWanted.
   */
  const freesWork = (result: AttemptResult): boolean =>
    result.update.nextAttemptAt !== null || result.orderingKey !== null || result.endpoint.pauseUntil !== undefined || result.endpoint.disable !== undefined || result.update.status === 'pending';

  const wake = (): void => {
    woken = true;
    const w = wakeUp;
    wakeUp = null;
    w?.();
  };

  // The per-attempt pipeline (attempt-pipeline.ts): request -> send -> classify -> plan -> result.
  const runAttempt = createAttemptPipeline({
    sender: opts.sender,
    auth: opts.auth,
    publisher: opts.publisher,
    logger,
    userAgent: opts.userAgent,
    connectTimeoutMs: opts.connectTimeoutMs,
    failingPeriodMs: opts.failingPeriodMs,
    signingKeys: opts.signingKeys,
    now,
    random,
    onPause: (endpointId, until) => pauses.pause(endpointId, until),
    onDisableAnnouncement: (deliveryId, event) => disabledAnnouncements.set(deliveryId, event),
    transforms: opts.transforms,
  });

  function traced(claim: Claim): Promise<AttemptResult> {
    return opts.traceAttempt ? opts.traceAttempt(claim, () => runAttempt(claim)) : runAttempt(claim);
  }

  function launch(claim: Claim): void {
    const id = claim.delivery.id;
    const endpointId = claim.endpoint.id;
    // Counted before the attempt starts: its `finally` may run before this function returns.
    inflightByEndpoint.set(endpointId, (inflightByEndpoint.get(endpointId) ?? 0) + 1);
    const done = (async () => {
      // Set once the result is with the writer, which wakes the loop when it is committed.
      let handedOff = false;
      try {
        const t = now();
        const paused = pauses.pausedUntil(claim.endpoint.id, t);
        if (paused !== null) {
          await store.releaseClaims([{ deliveryId: id, leaseToken: claim.delivery.leaseToken }], paused);
          return;
        }
        // The rate-limit slot the store reserved for this delivery (at most MAX_HOLD_MS ahead).
        const wait = Math.min(claim.sendAt - t, MAX_HOLD_MS);
        if (wait > 0) await sleep(wait);
        // A worker that stalled (start-up, GC) past its slots would otherwise send them all at once,
        // over the endpoint's rate: a slot missed by more than one interval is handed back, and the
        // next claim gives the delivery a fresh one after the slots taken since.
        const rate = claim.endpoint.rateLimitPerSecond;
        if (rate !== null && rate > 0 && now() - claim.sendAt > Math.max(1000 / rate, LATE_SLOT_MIN_MS)) {
          await store.releaseClaims([{ deliveryId: id, leaseToken: claim.delivery.leaseToken }], now());
          return;
        }
        writer.add(await traced(claim), claim);
        handedOff = true;
      } catch (err) {
        logger.error({ err, deliveryId: id }, 'delivery failed unexpectedly; its lease will expire and it will be retried');
      } finally {
        inflight.delete(id);
        const left = (inflightByEndpoint.get(endpointId) ?? 1) - 1;
        if (left > 0) inflightByEndpoint.set(endpointId, left);
        else inflightByEndpoint.delete(endpointId);
        if (!handedOff && wakeUp) wake();
      }
    })();
    inflight.set(id, { claim, done });
  }

  const minClaim = Math.max(1, Math.min(opts.claimBatch, Math.floor(opts.concurrency / 4)));
  const gatherMs = opts.claimGatherMs ?? CLAIM_GATHER_MS;
  let lastClaimAt = 0;

  async function loop(): Promise<void> {
    while (running) {
      lastLoop = now();
      const capacity = opts.concurrency - inflight.size;
      const gatherLeft = capacity < minClaim && inflight.size > 0 ? lastClaimAt + gatherMs - now() : 0;
      if (capacity > 0 && gatherLeft > 0) {
        // Room for less than a batch while attempts are in flight: a finishing group wakes us, and
        // the claim goes ahead anyway once CLAIM_GATHER_MS have passed since the last one.
        woken = false;
        roomWanted = true;
        await waitForWake(Math.min(gatherLeft, opts.pollIntervalMs));
        continue;
      }
      if (capacity <= 0) {
        // Clear the flag before waiting: a wake-up that arrived while full (a publish) would
        // otherwise make waitForWake resolve at once, every time, and this loop would spin on
        // microtasks forever, starving the I/O that lets in-flight attempts finish (found by
        // bench/ burst-fanout: 10 endpoints x 64 > 512 slots). A finishing attempt wakes us.
        woken = false;
        roomWanted = true;
        await waitForWake(opts.pollIntervalMs);
        continue;
      }
      woken = false;
      roomWanted = true;
      let claims: Claim[];
      try {
        lastClaimAt = now();
        claims = await store.claimDue({ now: lastClaimAt, limit: Math.min(opts.claimBatch, capacity), owner: opts.owner, leaseGraceMs: opts.leaseGraceMs, rateHoldMs: MAX_HOLD_MS, slotClock: now });
        dbBackoffMs = 0;
      } catch (err) {
        // Database down: back off (capped) instead of spinning or flooding the log.
        dbBackoffMs = Math.min(Math.max(dbBackoffMs * 2, 100), 5000);
        if (dbBackoffMs >= 5000 || dbBackoffMs === 100) logger.warn({ err: (err as Error).message, retryInMs: dbBackoffMs }, 'claiming deliveries failed');
        await waitForWake(dbBackoffMs, true);
        continue;
      }
      if (!running) {
        if (claims.length > 0) await store.releaseClaims(claims.map((c) => ({ deliveryId: c.delivery.id, leaseToken: c.delivery.leaseToken })), now()).catch(() => undefined);
        break;
      }
      for (const claim of claims) launch(claim);
      if (claims.length === Math.min(opts.claimBatch, capacity)) continue;
      idleBackoffMs = claims.length > 0 ? 0 : Math.min(Math.max(idleBackoffMs * 2, 5), MAX_IDLE_BACKOFF_MS);
      if (woken) continue;
      let sleepMs = opts.pollIntervalMs;
      try {
        const due = await store.nextDueAt();
        // Due already yet unclaimable (see MAX_IDLE_BACKOFF_MS): back off; due later: sleep until then.
        if (due !== null) sleepMs = due <= now() ? Math.min(sleepMs, Math.max(idleBackoffMs, 5)) : Math.max(5, Math.min(sleepMs, due - now()));
        roomWanted = due !== null && due <= now();
      } catch {
        // The next claim will report the database problem.
      }
      await waitForWake(sleepMs);
    }
  }

  function waitForWake(ms: number, ignoreWake = false): Promise<void> {
    if (woken && !ignoreWake) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wakeUp = null;
        resolve();
      }, ms);
      // During a database back-off a publish must not cut the pause short.
      if (!ignoreWake) {
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      }
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      writer.start();
      loopDone = loop().catch((err: unknown) => logger.fatal({ err }, 'dispatcher loop crashed'));
    },
    wake,
    async deliverNow(deliveryId) {
      const claim = await store.claimById(deliveryId, { now: now(), limit: 1, owner: opts.owner, leaseGraceMs: opts.leaseGraceMs });
      if (!claim) return null;
      const result = await traced(claim);
      const [outcome] = await writer.writeNow([result], [claim]);
      return outcome?.applied ? result.attempt : null;
    },
    async stop(graceMs) {
      if (stopping) return;
      stopping = true;
      running = false;
      wake();
      await loopDone;
      const deadline = now() + graceMs;
      while (inflight.size > 0 && now() < deadline) {
        await Promise.race([Promise.all([...inflight.values()].map((f) => f.done)), sleep(Math.max(1, deadline - now()))]);
      }
      const left = [...inflight.values()].map((f) => ({ deliveryId: f.claim.delivery.id, leaseToken: f.claim.delivery.leaseToken }));
      await writer.stop();
      if (left.length > 0) {
        // Give unfinished work back so another worker can claim it at once instead of waiting for
        // the lease to expire. Their late results will be rejected (status is no longer 'sending').
        const released = await store.releaseClaims(left, now()).catch((err: unknown) => {
          logger.error({ err }, 'could not release claims on shutdown; they return when their leases expire');
          return 0;
        });
        logger.info({ released }, 'released unfinished deliveries');
      }
    },
    inFlight: () => inflight.size,
    lastLoopAt: () => lastLoop,
    writerHealth: () => writer.health(),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
