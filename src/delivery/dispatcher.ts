// The dispatcher: claim -> send -> record -> schedule. State lives in the store (deliveries are rows
// with next_attempt_at and leases); this loop only holds what is in flight. Results are written in
// groups (result-writer.ts), fenced by the lease token, so a worker that lost its lease cannot move a
// delivery backwards.

import type { Logger } from 'pino';
import { classifyNetworkFailure, classifyStatus, type Classification } from '../core/classify-response.js';
import { planAfterAttempt } from '../core/delivery-plan.js';
import { newId } from '../core/ids.js';
import { parseRetryAfter } from '../core/retry-policy.js';
import type { Attempt, Endpoint } from '../core/types.js';
import { DEFAULT_RATE_HOLD_MS, type AttemptResult, type Claim, type DeliveryUpdate, type NewEvent, type Store } from '../store/store.js';
import type { EventBus } from '../core/event-bus.js';
import type { Publisher } from './publisher.js';
import { createEndpointPauses } from './endpoint-pauses.js';
import { redactHeaders } from './redact.js';
import { buildBody, buildHeaders } from './request-builder.js';
import type { SigningKeyService } from './signing-key-service.js';
import { createResultWriter, type ResultWriter } from './result-writer.js';
import { AuthError, type AuthProvider, type Sender, type SendResult } from './sender-types.js';

export const MAX_STORED_RESPONSE_BYTES = 16 * 1024;
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
    onApplied: (result, outcome, claim) => {
      // Claim again now, not when the attempt finished: an endpoint's room (its live 'sending'
      // rows) only frees once the result is committed, so a claim per finished attempt mostly
      // found nothing and cost a write transaction each (bench/: ~40% of hookd's time in
      // burst-fanout). One wake per committed group claims what the whole group freed.
      if (wakeUp) wake();
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
    onStale: (result) => {
      disabledAnnouncements.delete(result.deliveryId);
      if (wakeUp) wake();
      logger.warn({ deliveryId: result.deliveryId, leaseToken: result.leaseToken }, 'stale attempt result rejected (lease lost)');
    },
  });

  const wake = (): void => {
    woken = true;
    const w = wakeUp;
    wakeUp = null;
    w?.();
  };

  async function send(claim: Claim, forceRefresh = false): Promise<SendResult> {
    const { endpoint, event } = claim;
    const body = buildBody(event, endpoint.payloadFormat);
    const authHeaders = await opts.auth.headersFor(endpoint.id, endpoint.auth, { forceRefresh });
    const signers = endpoint.signing === 'ed25519' || endpoint.signing === 'both' ? await opts.signingKeys?.signers(endpoint.tenant) : undefined;
    const headers = buildHeaders({ endpoint, event, body, now: now(), userAgent: opts.userAgent, authHeaders, signers });
    const result = await opts.sender.send({
      url: endpoint.url,
      headers,
      body,
      timeoutMs: endpoint.timeoutMs,
      connectTimeoutMs: Math.min(opts.connectTimeoutMs, endpoint.timeoutMs),
      maxResponseBytes: MAX_STORED_RESPONSE_BYTES,
      tls: endpoint.auth.type === 'mtls' ? { cert: endpoint.auth.cert, key: endpoint.auth.key, ca: endpoint.auth.ca } : undefined,
    });
    (result as SendResult & { requestHeaders?: Record<string, string> }).requestHeaders = headers;
    return result;
  }

  /** One attempt of a claimed delivery, returned as a result ready to record. */
  async function attempt(claim: Claim): Promise<AttemptResult> {
    const { endpoint, delivery, event } = claim;
    const started = now();
    let result: SendResult & { requestHeaders?: Record<string, string> };
    let classification: Classification;
    let message: string | null = null;
    try {
      result = await send(claim);
      // OAuth2: a 401 may mean our cached token was revoked early; refresh once and retry.
      if (result.status === 401 && endpoint.auth.type === 'oauth2') result = await send(claim, true);
      if (result.status !== null) {
        classification = classifyStatus(result.status);
      } else {
        classification = classifyNetworkFailure(result.errorCode ?? 'network_error');
        message = result.errorMessage;
      }
    } catch (err) {
      const code = err instanceof AuthError ? err.code : 'network_error';
      classification = classifyNetworkFailure(code);
      message = err instanceof Error ? err.message : String(err);
      result = { status: null, headers: null, body: null, bodyTruncated: false, durationMs: now() - started, errorCode: code, errorMessage: message, remoteAddress: null };
      if (!(err instanceof AuthError)) logger.error({ err, deliveryId: delivery.id }, 'unexpected error while sending');
    }
    const finished = now();
    const retryAfterMs = parseRetryAfter(result.headers?.['retry-after'], finished);
    const plan = planAfterAttempt({ delivery, endpoint, classification, responseStatus: result.status, retryAfterMs, now: finished, random, failingPeriodMs: opts.failingPeriodMs });
    // At once for this process's claims in hand; the store holds it for everyone once the result commits.
    if (plan.pauseUntil !== undefined) pauses.pause(endpoint.id, plan.pauseUntil);
    const attemptRecord: Attempt = {
      id: newId('attempt'),
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      eventId: event.id,
      tenant: delivery.tenant,
      createdAt: started,
      durationMs: Math.round(result.durationMs),
      responseStatus: result.status,
      code: classification.code,
      outcome: classification.outcome,
      // What made this attempt happen; the store sets the delivery back to 'scheduled' with it.
      trigger: delivery.nextTrigger,
      message: message ?? (result.bodyTruncated ? `response body truncated at ${MAX_STORED_RESPONSE_BYTES} bytes` : null),
      requestHeaders: redactHeaders(result.requestHeaders ?? {}, endpoint.auth.type === 'header' ? [endpoint.auth.name] : []),
      responseHeaders: result.headers,
      responseBody: result.body,
    };
    const emit = plan.exhausted
      ? [
          opts.publisher.prepare({
            type: 'delivery.exhausted',
            data: { deliveryId: delivery.id, eventId: event.id, eventType: event.type, endpointId: endpoint.id, attempts: delivery.attempts + 1, lastCode: classification.code, lastStatus: result.status },
            tenant: endpoint.tenant,
            idempotencyKey: null,
          }),
        ]
      : [];
    logger.debug({ attemptId: attemptRecord.id, deliveryId: delivery.id, endpointId: endpoint.id, eventId: event.id, code: classification.code, status: result.status, ms: attemptRecord.durationMs }, 'attempt');
    if (classification.outcome !== 'success') {
      logger.info({ attemptId: attemptRecord.id, deliveryId: delivery.id, endpointId: endpoint.id, eventId: event.id, code: classification.code, status: result.status, ms: attemptRecord.durationMs, next: plan.nextAttemptAt }, 'attempt failed');
    }
    return {
      deliveryId: delivery.id,
      leaseToken: delivery.leaseToken,
      attempt: attemptRecord,
      update: { status: plan.status, nextAttemptAt: plan.nextAttemptAt, lastCode: classification.code, lastStatus: result.status },
      endpoint: {
        health: plan.health,
        disable: plan.disableGone ? 'gone' : undefined,
        disableIfFailingSince: plan.disableIfFailingSince,
        pauseUntil: plan.pauseUntil,
        // Committed with the disabling itself, or not at all (kill -9 cannot fall in between).
        announceDisabled: (reason) => {
          const announcement = opts.publisher.prepare({
            type: 'endpoint.disabled',
            data: { endpointId: endpoint.id, url: endpoint.url, reason, lastCode: classification.code, lastStatus: result.status, disabledAt: new Date(started).toISOString() },
            tenant: endpoint.tenant,
            idempotencyKey: null,
          });
          disabledAnnouncements.set(delivery.id, announcement);
          return announcement;
        },
      },
      emit,
    };
  }

  function traced(claim: Claim): Promise<AttemptResult> {
    return opts.traceAttempt ? opts.traceAttempt(claim, () => attempt(claim)) : attempt(claim);
  }

  function launch(claim: Claim): void {
    const id = claim.delivery.id;
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
        writer.add(await traced(claim), claim);
        handedOff = true;
      } catch (err) {
        logger.error({ err, deliveryId: id }, 'delivery failed unexpectedly; its lease will expire and it will be retried');
      } finally {
        inflight.delete(id);
        if (!handedOff && wakeUp) wake();
      }
    })();
    inflight.set(id, { claim, done });
  }

  async function loop(): Promise<void> {
    while (running) {
      lastLoop = now();
      const capacity = opts.concurrency - inflight.size;
      if (capacity <= 0) {
        // Clear the flag before waiting: a wake-up that arrived while full (a publish) would
        // otherwise make waitForWake resolve at once, every time, and this loop would spin on
        // microtasks forever, starving the I/O that lets in-flight attempts finish (found by
        // bench/ burst-fanout: 10 endpoints x 64 > 512 slots). A finishing attempt wakes us.
        woken = false;
        await waitForWake(opts.pollIntervalMs);
        continue;
      }
      woken = false;
      let claims: Claim[];
      try {
        claims = await store.claimDue({ now: now(), limit: Math.min(opts.claimBatch, capacity), owner: opts.owner, leaseGraceMs: opts.leaseGraceMs, rateHoldMs: MAX_HOLD_MS, slotClock: now });
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
