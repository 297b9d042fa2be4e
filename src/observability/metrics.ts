// Prometheus metrics: one Registry per runtime (never the global one, so two runtimes in one process
// do not mix), process metrics from collectDefaultMetrics, hookd's counters and histograms updated as
// things happen, and gauges (queue depth, pool, dispatcher) read at scrape time. Every metric is listed
// with its labels in docs/observability.md.
//
// Label cardinality is bounded on purpose: `endpoint` is limited to the top N endpoints
// (endpoint-labels.ts), `code` comes from the fixed registries (core/attempt-codes.ts,
// core/error-codes.ts), and nothing takes a label from user input (event types, tenants, URLs).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OPERATIONAL_EVENT_TYPES } from '../core/endpoint-match.js';
import type { Attempt, DeliveryStatus } from '../core/types.js';
import type { EventBus } from '../core/event-bus.js';
import type { Store } from '../store/store.js';
import { createEndpointLabels, OTHER_ENDPOINTS, type EndpointLabels } from './endpoint-labels.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type EventOrigin = 'api' | 'inbound' | 'system';
export type DbOperation = 'publish' | 'record_inbound' | 'claim' | 'record_results';

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** `n` events written (not replays), by where they came from. */
  eventsPublished(n: number, origin: EventOrigin): void;
  /** Deliveries created by fan-out. */
  deliveriesCreated(n: number): void;
  /** One finished attempt and the state its delivery moved to. */
  attempt(attempt: Attempt, deliveryStatus: DeliveryStatus): void;
  /** A failed attempt after which the delivery was scheduled again. */
  retry(): void;
  /** An inbound request written to a source's log (accepted, duplicate or rejected, with its code). */
  inbound(verdict: string, code: string | null): void;
  endpointDisabled(reason: string): void;
  endpointRecovered(): void;
  /** One claim round trip: how long it took and how many deliveries it returned. */
  claimBatch(durationMs: number, size: number): void;
  dbOperation(operation: DbOperation, durationMs: number, ok: boolean): void;
  /** Counts disables and recoveries from the runtime's bus; returns the unsubscribe function. */
  observeBus(bus: EventBus): () => void;
  /** The exposition text (re-ranks endpoint labels first if due). */
  render(): Promise<string>;
}

export interface MetricsOptions {
  store: Pick<Store, 'queueDepth' | 'queueDepthByEndpoint'> & Partial<Pick<Store, 'poolStats'>>;
  version: string;
  /** Endpoints with their own `endpoint` label value; the rest are `other`. */
  topEndpoints: number;
  dispatcher?: { inFlight(): number; lastLoopAt(): number } | null;
  now?: () => number;
  /** Re-ranking of endpoint labels happens on scrape at most this often (default 60 s). */
  rerankIntervalMs?: number;
  /** Report a failed scrape-time query (the scrape still answers, without those series). */
  onCollectError?: (what: string, err: unknown) => void;
  /** Skip process metrics (tests that build many registries). */
  defaultMetrics?: boolean;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

export function createMetrics(options: MetricsOptions): Metrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const labels: EndpointLabels = createEndpointLabels({ topN: options.topEndpoints, rerankIntervalMs: options.rerankIntervalMs ?? 60_000 });
  const registers = [registry];
  const collectError = (what: string, err: unknown): void => options.onCollectError?.(what, err);

  new Gauge({ name: 'hookd_info', help: 'Always 1; the version label says which hookd answers.', labelNames: ['version'], registers }).set({ version: options.version }, 1);

  const eventsPublished = new Counter({ name: 'hookd_events_published_total', help: 'Events written (replays of an idempotency key excluded), by origin: api, inbound (ingress), system (operational events).', labelNames: ['origin'], registers });
  const deliveriesCreated = new Counter({ name: 'hookd_deliveries_created_total', help: 'Deliveries created by fan-out of API and ingress events.', registers });
  const attempts = new Counter({ name: 'hookd_attempts_total', help: 'HTTP attempts by outcome (success, retry, retry_after, throttle, disable_endpoint, fail) and attempt code.', labelNames: ['outcome', 'code'], registers });
  const endpointAttempts = new Counter({ name: 'hookd_endpoint_attempts_total', help: 'Attempts per endpoint (top N endpoints, the rest as "other"), by result (success, failure).', labelNames: ['endpoint', 'result'], registers });
  const attemptDuration = new Histogram({ name: 'hookd_attempt_duration_seconds', help: 'Attempt duration (connect to last response byte) per endpoint (top N, the rest as "other").', labelNames: ['endpoint'], buckets: DURATION_BUCKETS, registers });
  const deliveriesCompleted = new Counter({ name: 'hookd_deliveries_completed_total', help: 'Deliveries that reached a terminal state through an attempt, by status (succeeded, failed).', labelNames: ['status'], registers });
  const retries = new Counter({ name: 'hookd_retries_scheduled_total', help: 'Failed attempts after which the delivery was scheduled again.', registers });
  const inbound = new Counter({ name: 'hookd_inbound_requests_total', help: 'Inbound requests to known sources by verdict (accepted, duplicate, rejected) and code (the rejection reason; "none" when accepted).', labelNames: ['verdict', 'code'], registers });
  const disabled = new Counter({ name: 'hookd_endpoints_disabled_total', help: 'Endpoints disabled, by reason (gone: 410, failing: failed for the configured period, manual).', labelNames: ['reason'], registers });
  const recovered = new Counter({ name: 'hookd_endpoints_recovered_total', help: 'Disabled endpoints enabled again.', registers });
  const dbDuration = new Histogram({ name: 'hookd_db_operation_duration_seconds', help: 'Store transactions of the delivery path by operation (publish, record_inbound, claim, record_results) and result (ok, error).', labelNames: ['operation', 'result'], buckets: DB_BUCKETS, registers });
  const claimSize = new Histogram({ name: 'hookd_claim_batch_size', help: 'Deliveries returned per claim round trip.', buckets: BATCH_BUCKETS, registers });

  // One queue query per scrape, shared by the gauges that read it (they collect concurrently).
  // render() starts every scrape with a fresh one; the short TTL covers direct registry.metrics() calls.
  const queue = memoize(250, now, async () => {
    const at = now();
    const [total, perEndpoint] = await Promise.all([options.store.queueDepth(at), options.topEndpoints > 0 ? options.store.queueDepthByEndpoint(at, options.topEndpoints) : []]);
    return { at, total, perEndpoint };
  });
  const ageSeconds = (at: number, oldest: number | null): number => (oldest === null ? 0 : Math.max(0, at - oldest) / 1000);

  new Gauge({
    name: 'hookd_queue_deliveries',
    help: 'Deliveries waiting: state="pending" (all, including those scheduled later), state="due" (their time has come).',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      try {
        const { total } = await queue.get();
        this.set({ state: 'pending' }, total.pending);
        this.set({ state: 'due' }, total.due);
      } catch (err) {
        collectError('queue depth', err);
      }
    },
  });
  new Gauge({
    name: 'hookd_queue_oldest_due_age_seconds',
    help: 'How long the oldest due delivery has been waiting (0 when nothing is due).',
    registers,
    async collect() {
      this.reset();
      try {
        const { at, total } = await queue.get();
        this.set(total.due > 0 ? ageSeconds(at, total.oldestDueAt) : 0);
      } catch (err) {
        collectError('queue depth', err);
      }
    },
  });
  new Gauge({
    name: 'hookd_endpoint_queue_deliveries',
    help: 'Deliveries waiting per endpoint (the top N endpoints by due deliveries; the rest summed as "other").',
    labelNames: ['endpoint', 'state'],
    registers,
    async collect() {
      this.reset();
      try {
        const { total, perEndpoint } = await queue.get();
        let pending = 0;
        let due = 0;
        for (const row of perEndpoint) {
          this.set({ endpoint: row.endpointId, state: 'pending' }, row.pending);
          this.set({ endpoint: row.endpointId, state: 'due' }, row.due);
          pending += row.pending;
          due += row.due;
        }
        if (total.pending > pending) {
          this.set({ endpoint: OTHER_ENDPOINTS, state: 'pending' }, total.pending - pending);
          this.set({ endpoint: OTHER_ENDPOINTS, state: 'due' }, Math.max(0, total.due - due));
        }
      } catch (err) {
        collectError('queue depth per endpoint', err);
      }
    },
  });
  new Gauge({
    name: 'hookd_endpoint_queue_oldest_due_age_seconds',
    help: 'Age of the oldest due delivery per endpoint (the top N endpoints by due deliveries that have any due).',
    labelNames: ['endpoint'],
    registers,
    async collect() {
      this.reset();
      try {
        const { at, perEndpoint } = await queue.get();
        for (const row of perEndpoint) if (row.due > 0) this.set({ endpoint: row.endpointId }, ageSeconds(at, row.oldestDueAt));
      } catch (err) {
        collectError('queue depth per endpoint', err);
      }
    },
  });

  const poolStats = options.store.poolStats?.bind(options.store);
  if (poolStats) {
    new Gauge({
      name: 'hookd_db_pool_connections',
      help: 'Database pool connections by state: total (open), idle, waiting (callers queued for a connection).',
      labelNames: ['state'],
      registers,
      collect() {
        const s = poolStats();
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
  }

  const dispatcher = options.dispatcher;
  if (dispatcher) {
    new Gauge({ name: 'hookd_dispatcher_in_flight', help: 'Attempts in flight in this process.', registers, collect() { this.set(dispatcher.inFlight()); } });
    new Gauge({ name: 'hookd_dispatcher_last_loop_age_seconds', help: 'Seconds since the dispatcher loop last ran (readiness fails past HOOKD_READY_STALL_MS).', registers, collect() { this.set(Math.max(0, now() - dispatcher.lastLoopAt()) / 1000); } });
  }

  const metrics: Metrics = {
    registry,
    contentType: METRICS_CONTENT_TYPE,
    eventsPublished(n, origin) {
      if (n > 0) eventsPublished.inc({ origin }, n);
    },
    deliveriesCreated(n) {
      if (n > 0) deliveriesCreated.inc(n);
    },
    attempt(attempt, deliveryStatus) {
      attempts.inc({ outcome: attempt.outcome, code: attempt.code });
      const endpoint = labels.observe(attempt.endpointId);
      endpointAttempts.inc({ endpoint, result: attempt.outcome === 'success' ? 'success' : 'failure' });
      attemptDuration.observe({ endpoint }, attempt.durationMs / 1000);
      if (deliveryStatus === 'succeeded' || deliveryStatus === 'failed') deliveriesCompleted.inc({ status: deliveryStatus });
      else if (deliveryStatus === 'pending' && attempt.outcome !== 'success') metrics.retry();
    },
    retry() {
      retries.inc();
    },
    inbound(verdict, code) {
      inbound.inc({ verdict, code: code ?? 'none' });
    },
    endpointDisabled(reason) {
      disabled.inc({ reason });
    },
    endpointRecovered() {
      recovered.inc();
    },
    claimBatch(durationMs, size) {
      dbDuration.observe({ operation: 'claim', result: 'ok' }, durationMs / 1000);
      claimSize.observe(size);
    },
    dbOperation(operation, durationMs, ok) {
      dbDuration.observe({ operation, result: ok ? 'ok' : 'error' }, durationMs / 1000);
    },
    observeBus(bus) {
      const offs = [
        bus.on('endpoint.state', (m) => {
          if (!m.enabled) metrics.endpointDisabled(m.disabledReason ?? 'manual');
        }),
        // Only a real re-enable publishes endpoint.recovered (a PATCH enabling an enabled endpoint does not).
        bus.on('event.published', (m) => {
          if (m.type === 'endpoint.recovered') metrics.endpointRecovered();
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    async render() {
      queue.invalidate();
      for (const id of labels.rerank(now())) {
        endpointAttempts.remove({ endpoint: id, result: 'success' });
        endpointAttempts.remove({ endpoint: id, result: 'failure' });
        attemptDuration.remove({ endpoint: id });
      }
      return registry.metrics();
    },
  };
  return metrics;
}

/** Where an event came from, for hookd_events_published_total. */
export function eventOrigin(event: { type: string; sourceId: string | null }): EventOrigin {
  if (event.sourceId !== null) return 'inbound';
  return OPERATIONAL_EVENT_TYPES.has(event.type) ? 'system' : 'api';
}

function memoize<T>(ttlMs: number, now: () => number, load: () => Promise<T>): { get: () => Promise<T>; invalidate: () => void } {
  let cached: { at: number; value: Promise<T> } | null = null;
  return {
    get() {
      const t = now();
      if (cached === null || t - cached.at >= ttlMs) {
        const value = load();
        cached = { at: t, value };
        // A failure is not cached: the next scrape asks again.
        value.catch(() => {
          if (cached?.value === value) cached = null;
        });
      }
      return cached.value;
    },
    invalidate() {
      cached = null;
    },
  };
}
