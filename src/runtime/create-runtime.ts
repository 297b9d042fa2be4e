// The one composition root: configuration -> store, egress, publisher, dispatcher, API. Everything
// else receives its collaborators as parameters, which is what lets tests build the same graph with
// a temporary database and loopback allowed.

import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import { createSchemaChecker } from '../core/payload-check.js';
import { newId } from '../core/ids.js';
import { createAesGcmBox } from '../security/aes-gcm-box.js';
import { withOpenCache } from '../core/secret-box.js';
import type { Store } from '../store/store.js';
import { buildApp, type RouteModule } from '../api/server.js';
import { registerDoctorRoutes } from '../doctor/doctor-routes.js';
import { createConsumerManager, createInboundRoutes, type ConsumerManager } from '../inbound/index.js';
import { createBinRoutes } from '../bin/index.js';
import { createDashboardRoutes } from '../dashboard/dashboard-routes.js';
import { derivePortalKey } from '../security/portal-token.js';
import { generateApiKey, hashApiKey } from '../api/api-keys.js';
import { createSsrfPolicy, type LookupFunction } from '../delivery/ssrf-policy.js';
import { createHttpSender } from '../delivery/http-sender.js';
import { createAuthProvider } from '../delivery/endpoint-auth.js';
import { createPublisher, type Publisher } from '../delivery/publisher.js';
import { createDispatcher, type Dispatcher } from '../delivery/dispatcher.js';
import { createSigningKeyService } from '../delivery/signing-key-service.js';
import type { Sender } from '../delivery/sender-types.js';
import { createTransformRunner } from '../delivery/transform-runner.js';
import { createTransformSandbox } from '../delivery/transform-sandbox.js';
import { createBrokerDrivers, createDestinationRegistry, createDestinationSender } from '../delivery/destinations/index.js';
import { EventBus } from '../core/event-bus.js';
import { loadOrCreateSecretKey } from './secret-key.js';
import { openStore } from './open-store.js';
import { createPruner, type Pruner } from './pruner.js';
import { VERSION } from './version.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createTracing, type Tracing } from '../observability/tracing.js';
import { instrumentStore } from '../observability/instrument-store.js';
import { createReadiness } from '../observability/readiness.js';
import { createShutdownRegistry } from '../core/shutdown-registry.js';
import { closeHttp } from './shutdown-http.js';
import { createOwnerHeartbeat } from './owner-heartbeat.js';
import { createAlertSender } from '../delivery/alerts/alert-senders.js';
import { createAlertRunner, type AlertRunner } from '../delivery/alerts/alert-runner.js';

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  /** Injected for tests; otherwise opened from config.databaseUrl. */
  store?: Store;
  now?: () => number;
  /** Extra API modules (inbound, doctor, dashboard). */
  modules?: RouteModule[];
  /** The DNS resolver of the SSRF policy (tests inject one; production uses dns.lookup). */
  lookup?: LookupFunction;
  /** Print-once admin key callback (first successful listen() with an empty database). */
  onAdminKeyCreated?: (key: string) => void;
  /** Injected for tests (an in-memory exporter); otherwise built from the OTEL_* variables. */
  tracing?: Tracing;
  /** How often broker sources re-read the sources table (default 2000 ms). */
  consumerRefreshMs?: number;
}

export interface Runtime {
  config: Config;
  store: Store;
  app: FastifyInstance;
  publisher: Publisher;
  dispatcher: Dispatcher | null;
  sender: Sender;
  bus: EventBus;
  metrics: Metrics;
  tracing: Tracing;
  /** Broker sources (worker role only): one consumer per source with `consume`. */
  consumers: ConsumerManager | null;
  /** The alert evaluator (worker role only). */
  alerts: AlertRunner | null;
  /** Listen on config.host:config.port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Graceful: stop accepting, finish or release in-flight work, close the database. */
  close(): Promise<void>;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const secretKey = loadOrCreateSecretKey(config.secretKey, config.dataDir);
  if (secretKey.created) logger.info({ path: secretKey.path }, 'generated a new secret key for encryption at rest');
  const rawStore = options.store ?? openStore(config.databaseUrl, config.dataDir, withOpenCache(createAesGcmBox(secretKey.key)), 'hookd', config.pgPreparedStatements);
  await rawStore.migrate();

  // Observability first: everything below talks to the instrumented store. OTEL_* are the
  // OpenTelemetry SDK's own standard variables, not hookd settings.
  const tracing = options.tracing ?? (await createTracing({ env: process.env, version: VERSION, warn: (message) => logger.warn(message) }));
  const runsWorker = config.role !== 'api';
  const metrics = createMetrics({
    store: rawStore,
    version: VERSION,
    topEndpoints: config.metricsTopEndpoints,
    // Read at scrape time only, after the dispatcher below exists.
    dispatcher: runsWorker ? { inFlight: () => dispatcher.inFlight(), lastLoopAt: () => dispatcher.lastLoopAt() } : null,
    now,
    onCollectError: (what, err) => logger.warn({ err: (err as Error).message }, `metrics: reading ${what} failed`),
  });
  const store = instrumentStore(rawStore, { metrics, tracing });

  const bus = new EventBus();
  bus.onListenerError = (err, topic) => logger.error({ err: err instanceof Error ? err.message : String(err), topic }, 'a bus listener failed');
  const checker = createSchemaChecker();
  const policy = createSsrfPolicy({ allowPrivate: config.allowPrivate, lookup: options.lookup });
  const httpSender = createHttpSender({ policy, userAgent: `hookd/${VERSION}` });
  // Broker destinations (amqp, nats, mqtt, redis) beside HTTP, behind the same Sender seam; their
  // connections are pooled and closed with the sender at shutdown.
  const brokerDrivers = createBrokerDrivers();
  const destinations = createDestinationRegistry(policy, brokerDrivers);
  const sender = createDestinationSender({ http: httpSender, registry: destinations, drivers: brokerDrivers });
  const auth = createAuthProvider({ sender: httpSender, policy });
  const publisher = createPublisher({ store, checker, bus, requireEventTypes: config.requireEventTypes, now, onPrepare: tracing.enabled ? (event) => tracing.startPublish(event) : undefined });
  const signingKeys = createSigningKeyService({
    store,
    now,
    policy: {
      overlapMs: config.signingKeyOverlapSeconds * 1000,
      publishLeadMs: config.keySetMaxAgeSeconds * 1000,
      intervalMs: config.signingKeyRotationDays * 86_400_000,
    },
  });
  // Presets link to the event in the dashboard: the public URL, else the listen address.
  const transforms = createTransformRunner({
    sandbox: createTransformSandbox({ memoryLimitBytes: config.transformMemoryMb * 1024 * 1024, cpuTimeMs: config.transformCpuMs }),
    dashboardUrl: config.publicUrl.trim() || `http://${config.host}:${config.port}`,
    requireTls: config.requireHttps ? (url) => destinations.isSecure(url) : undefined,
  });
  const owner = `${hostname()}:${process.pid}:${newId('delivery').slice(-8)}`;
  const dispatcher = createDispatcher({
    store,
    sender,
    auth,
    publisher,
    bus,
    logger: logger.child({ component: 'dispatcher' }),
    owner,
    userAgent: `hookd/${VERSION}`,
    concurrency: config.workerConcurrency,
    claimBatch: config.claimBatch,
    pollIntervalMs: config.pollIntervalMs,
    leaseGraceMs: config.leaseGraceMs,
    connectTimeoutMs: config.connectTimeoutMs,
    failingPeriodMs: config.failingDisableAfterSeconds * 1000,
    signingKeys,
    transforms,
    now,
    onAttempt: (attempt, _endpoint, update) => metrics.attempt(attempt, update.status),
    traceAttempt: tracing.enabled ? (claim, run) => tracing.traceAttempt(claim, run) : undefined,
  });
  bus.on('work.available', () => dispatcher.wake());
  const stopObservingBus = metrics.observeBus(bus);
  // Other processes' publishes wake this one (dispatcher and long-polls) within milliseconds.
  const stopListening = store.listen
    ? await store.listen(() => {
        dispatcher.wake();
        bus.emit('feed.changed', {});
      })
    : null;

  // Alerts: the HTTP channels go through the deliveries' SSRF-pinned sender, email through the same policy.
  const alertSender = createAlertSender({ http: httpSender, policy, timeoutMs: config.defaultTimeoutMs, userAgent: `hookd/${VERSION}`, now });
  const alerts = runsWorker
    ? createAlertRunner({ store, bus, sender: alertSender, intervalMs: config.alertEvaluateMs, now, onError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'alert evaluation failed') })
    : null;
  const shutdown = createShutdownRegistry((err) => logger.warn({ err }, 'ending a connection on shutdown failed'));
  const app = await buildApp(
    {
      config,
      shutdown,
      store,
      publisher,
      checker,
      bus,
      version: VERSION,
      now,
      adminKeyHash: config.adminKey ? hashApiKey(config.adminKey) : null,
      forgetAuth: (id) => auth.forget(id),
      signingKeys,
      transforms,
      portalKey: derivePortalKey(secretKey.key),
      dispatcher: { deliverNow: (id) => dispatcher.deliverNow(id), wake: () => dispatcher.wake() },
      metrics,
      tracing,
      alertSender,
      readiness: createReadiness({ store: rawStore, dispatcher: runsWorker ? dispatcher : null, stallMs: config.readyStallMs, now }),
      vetUrl: async (url) => {
        const broker = await destinations.vet(url);
        if (broker !== null) {
          if (!broker.ok) return broker;
          if (config.requireHttps && !broker.spec.secure) return { ok: false, code: 'invalid_url', message: 'Only TLS endpoint URLs are accepted (HOOKD_REQUIRE_HTTPS=true): use amqps://, mqtts://, rediss:// or nats://...?tls=true.' };
          return { ok: true };
        }
        if (config.requireHttps && !/^https:/i.test(url)) return { ok: false, code: 'invalid_url', message: 'Only https:// endpoint URLs are accepted (HOOKD_REQUIRE_HTTPS=true).' };
        const verdict = await policy.vetUrl(url);
        return verdict.ok ? { ok: true } : verdict;
      },
    },
    {
      logger,
      // The doctor probes with the same SSRF policy, sender and auth provider as deliveries, so a
      // probe and an attempt see the same network and get the same codes.
      modules: [
        (app, ctx) =>
          registerDoctorRoutes(app, ctx, {
            policy,
            sender,
            auth,
            checker,
            store,
            now,
            connectTimeoutMs: config.connectTimeoutMs,
            defaultTimeoutMs: config.defaultTimeoutMs,
            requireHttps: config.requireHttps,
            userAgent: `hookd/${VERSION}`,
            signingKeys,
            destinations,
          }),
        createInboundRoutes({ trustedProxies: config.trustedProxies }),
        createBinRoutes({ sender: httpSender }),
        createDashboardRoutes({ portalKey: (ctx) => ctx.portalKey ?? derivePortalKey(secretKey.key) }),
        ...(options.modules ?? []),
      ],
      https: config.tlsCert ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined,
    },
  );

  const pruner: Pruner = createPruner({ store, logger: logger.child({ component: 'pruner' }), retentionDays: config.retentionDays, auditRetentionDays: config.auditRetentionDays, now });
  const heartbeat = createOwnerHeartbeat({
    store,
    owner,
    host: hostname(),
    intervalMs: config.heartbeatMs,
    deadAfterMs: config.ownerDeadAfterMs,
    logger: logger.child({ component: 'lease-owners' }),
    now,
    onReleased: () => dispatcher.wake(),
  });
  // Broker sources consume in the worker role, like the dispatcher delivers: an API-only process
  // takes no messages. Each message is acknowledged only after its event is committed.
  const consumers = runsWorker
    ? createConsumerManager({ store, publisher, now, policy, logger: logger.child({ component: 'broker-sources' }), refreshMs: options.consumerRefreshMs ?? 2000, maxBodyBytes: config.maxBodyBytes })
    : null;
  if (runsWorker) {
    // Registered (and any dead owner's leases handed back) before the first claim, so a restart
    // after a crash finds the endpoints' concurrency room free at once.
    await heartbeat.start();
    dispatcher.start();
    pruner.start();
    await consumers?.start();
    await alerts?.start();
  }

  let closed = false;
  return {
    config,
    store,
    app,
    publisher,
    dispatcher: runsWorker ? dispatcher : null,
    sender,
    bus,
    metrics,
    tracing,
    consumers,
    alerts,
    async listen() {
      const listened = await app.listen({ port: config.port, host: config.host });
      // Fastify names the scheme from its own https option; ours is a server factory (node-server.ts),
      // so it said http:// for a TLS listener and the banner and /mcp's tools pointed at the wrong scheme.
      const address = config.tlsCert ? listened.replace(/^http:\/\//, 'https://') : listened;
      // The one-time admin key is created only once the server is reachable: a start that fails
      // (a busy port, a bad TLS file) must not consume it, or the next start would print none.
      if (!config.adminKey && (await store.countApiKeys()) === 0) {
        const key = generateApiKey();
        await store.insertApiKey({ id: newId('apiKey'), name: 'initial admin key', role: 'admin', tenant: null, hash: hashApiKey(key), prefix: key.slice(0, 10), createdAt: now(), revokedAt: null, lastUsedAt: null });
        options.onAdminKeyCreated?.(key);
      }
      return address;
    },
    async close() {
      if (closed) return;
      closed = true;
      pruner.stop();
      await alerts?.stop();
      // First: no new message is taken while the rest winds down (an unacked one is redelivered).
      await consumers?.stop();
      // Both within one grace, side by side: the API stops accepting while in-flight attempts
      // finish; streams and long-polls end at once; whatever is still open when the grace is over
      // is cut, and unfinished attempts are released (fenced) for the next worker.
      await Promise.all([
        closeHttp({
          app,
          registry: shutdown,
          graceMs: config.shutdownGraceMs,
          onForced: (open) => logger.warn({ open }, 'shutdown grace over: closing the connections still open'),
        }),
        runsWorker ? dispatcher.stop(config.shutdownGraceMs) : Promise.resolve(),
      ]);
      // After the claims were finished or released: nothing of this owner is left to hand back.
      if (runsWorker) await heartbeat.stop();
      await sender.close();
      transforms.close();
      await stopListening?.();
      stopObservingBus();
      await store.close();
      // Flush buffered spans; an injected tracing belongs to the caller (a test reads its exporter).
      if (!options.tracing) await tracing.shutdown().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'flushing traces failed'));
    },
  };
}
