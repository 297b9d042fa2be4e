// The SQLite Store: zero set-up, one file, one machine. better-sqlite3 is synchronous, so every
// method runs its statements to completion on the calling tick and returns a settled promise; no
// two transactions of this connection can interleave, and other processes are serialised by
// SQLite's write lock (BEGIN IMMEDIATE + busy_timeout).

import { endpointSeries } from './endpoint-series.js';
import * as bulk from './bulk-retries.js';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SecretBox } from '../../core/secret-box.js';
import type { Store } from '../store.js';
import * as catalog from './catalog.js';
import { claimDue } from './claim-due.js';
import * as claims from './claims.js';
import { createContext } from './context.js';
import * as deliveries from './deliveries.js';
import * as endpoints from './endpoints.js';
import * as events from './events.js';
import * as owners from './lease-owners.js';
import { applyMigrations } from './migrations.js';
import * as ordering from './ordering.js';
import { publishInTransaction } from './publish.js';
import { recordResults } from './record-results.js';
import { prune } from './prune.js';
import * as bins from './bins.js';
import * as alerts from './alert-notifications.js';
import * as alertConfig from './alert-config.js';
import { auditInTransactions, listAudit, pruneAudit, wrapTransactions, writeAudit } from './audit.js';
import * as signingKeys from './signing-keys.js';
import * as sources from './sources.js';
import * as transfer from './transfer.js';
import { BACKSTOP_PAGES, DEFAULT_AUTOCHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import { classifyStoreErrors } from '../store-error.js';
import { isSqliteUnavailable } from './unavailable.js';
import { jsonTextContains } from '../../core/json-contains.js';

/** Delivery-path transactions after which the WAL checkpoint worker starts (see wal-checkpointer.ts). */
const HOT_TRANSACTIONS = 200;

export interface SqliteStoreOptions {
  /** Database file (parent directories are created), or ':memory:'. */
  path: string;
  secretBox: SecretBox;
  /** How long a writer waits for another process's write lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const db = new Database(options.path);
  // busy_timeout first: switching to WAL itself needs the lock when another process is starting.
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  // WAL lets readers (feed, dashboard) run while the dispatcher writes.
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the process loses
  // nothing (the WAL is in the OS page cache), only an OS crash or power loss may lose the last
  // few commits. FULL would fsync every publish and cap throughput at the disk's fsync rate.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Event search's `match` (events.ts): jsonb containment rules, the same answers as PostgreSQL.
  db.function('hookd_json_contains', { deterministic: true }, jsonTextContains());

  const ctx = createContext(db, options.secretBox);
  wrapTransactions(db, () => ctx);
  let closed = false;

  // The checkpoint worker starts once the store is busy (after HOT_TRANSACTIONS delivery-path
  // transactions): a short-lived store (CLI command, test) never pays for a thread.
  const file = options.path === ':memory:' ? null : path.resolve(options.path);
  let checkpointer: WalCheckpointer | null = null;
  let hotTransactions = 0;
  const hot = (): void => {
    hotTransactions += 1;
    if (hotTransactions !== HOT_TRANSACTIONS || file === null || closed) return;
    checkpointer = startWalCheckpointer(file, (running) => {
      if (closed) return;
      db.pragma(`wal_autocheckpoint = ${running ? BACKSTOP_PAGES : DEFAULT_AUTOCHECKPOINT_PAGES}`);
    });
  };

  const store: Store = {
    dialect: 'sqlite',
    // One file on one machine: several local processes could share it, but not several machines,
    // and there is no cross-process wake-up (callers poll nextDueAt / lastEventSeq).
    capabilities: { multiProcess: false, crossProcessNotify: false, inProcessCommits: true },

    async migrate() {
      applyMigrations(db);
    },
    async ping() {
      ctx.stmt('SELECT 1').get();
    },
    async close() {
      if (closed) return;
      closed = true;
      await checkpointer?.stop();
      db.close();
    },

    async insertApiKey(key) {
      catalog.insertApiKey(ctx, key);
    },
    async findApiKeyByHash(hash) {
      return catalog.findApiKeyByHash(ctx, hash);
    },
    async listApiKeys(page) {
      return catalog.listApiKeys(ctx, page);
    },
    async revokeApiKey(id, at) {
      return catalog.revokeApiKey(ctx, id, at);
    },
    async revokePortalLink(id, at, expiresAt) {
      return catalog.revokePortalLink(ctx, id, at, expiresAt);
    },
    async isPortalLinkRevoked(id) {
      return catalog.isPortalLinkRevoked(ctx, id);
    },
    async usePortalLink(id, at, expiresAt) {
      return catalog.usePortalLink(ctx, id, at, expiresAt);
    },
    async countApiKeys() {
      return catalog.countApiKeys(ctx);
    },

    async listSigningKeys(tenant) {
      return signingKeys.listSigningKeys(ctx, tenant);
    },
    async insertSigningKey(key, retire) {
      return signingKeys.insertSigningKey(ctx, key, retire);
    },

    async putEventType(type) {
      return catalog.putEventType(ctx, type);
    },
    async getEventType(name) {
      return catalog.getEventType(ctx, name);
    },
    async listEventTypes(page) {
      return catalog.listEventTypes(ctx, page);
    },
    async deleteEventType(name) {
      return catalog.deleteEventType(ctx, name);
    },

    async insertEndpoint(endpoint, limit) {
      return endpoints.insertEndpoint(ctx, endpoint, limit);
    },
    async getEndpoint(id, tenant) {
      return endpoints.getEndpoint(ctx, id, tenant);
    },
    async listEndpoints(tenant, page) {
      return endpoints.listEndpoints(ctx, tenant, page);
    },
    async countEndpoints(tenant) {
      return endpoints.countEndpoints(ctx, tenant);
    },
    async updateEndpoint(id, tenant, patch, announce) {
      return endpoints.updateEndpoint(ctx, id, tenant, patch, announce);
    },
    async deleteEndpoint(id, tenant) {
      // The contract passes no clock here; the cancellation time is only bookkeeping (updated_at).
      return endpoints.deleteEndpoint(ctx, id, tenant, Date.now());
    },

    async publishEvents(batch) {
      hot();
      return db.transaction(() => publishInTransaction(ctx, batch)).immediate();
    },
    async getEvent(id, tenant) {
      return events.getEvent(ctx, id, tenant);
    },
    async listEventsFeed(query) {
      return events.listEventsFeed(ctx, query);
    },
    async lastEventSeq() {
      return events.lastEventSeq(ctx);
    },
    async countEventsByTenant(types, since) {
      return events.countEventsByTenant(ctx, types, since);
    },

    async claimDue(req) {
      hot();
      return claimDue(ctx, req);
    },
    async claimById(id, req) {
      return claims.claimById(ctx, id, req);
    },
    async recordResults(results) {
      hot();
      return recordResults(ctx, results);
    },
    async releaseClaims(list, at) {
      return claims.releaseClaims(ctx, list, at);
    },
    async heartbeatOwner(owner, now) {
      return owners.heartbeatOwner(ctx, owner, now);
    },
    async listLeaseOwners() {
      return owners.listLeaseOwners(ctx);
    },
    async releaseDeadOwners(list, now) {
      return owners.releaseDeadOwners(ctx, list, now);
    },
    async retireOwner(owner) {
      owners.retireOwner(ctx, owner);
    },
    async nextDueAt() {
      return deliveries.nextDueAt(ctx);
    },
    async getDelivery(id, tenant) {
      return deliveries.getDelivery(ctx, id, tenant);
    },
    async listDeliveries(query, page) {
      return deliveries.listDeliveries(ctx, query, page);
    },
    async listAttempts(deliveryId) {
      return deliveries.listAttempts(ctx, deliveryId);
    },
    async listRecentAttempts(endpointId, limit) {
      return deliveries.listRecentAttempts(ctx, endpointId, limit);
    },
    async requeueDelivery(id, tenant, now, how) {
      return deliveries.requeueDelivery(ctx, id, tenant, now, how);
    },
    async recoverDeliveries(endpointId, since, until, now) {
      return deliveries.recoverDeliveries(ctx, endpointId, since, until, now);
    },
    async cancelPendingDeliveries(endpointId, code, now) {
      return deliveries.cancelPendingDeliveries(ctx, endpointId, code, now);
    },
    async endpointStats(endpointId, since, until) {
      return deliveries.endpointStats(ctx, endpointId, since, until);
    },
    async listBlockedKeys(endpointId, page) {
      return ordering.listBlockedKeys(ctx, endpointId, page);
    },
    async orderingAction(endpointId, key, action, now) {
      return ordering.orderingAction(ctx, endpointId, key, action, now);
    },
    async endpointSeries(endpointId, since, until, bucketMs) {
      return endpointSeries(ctx, endpointId, since, until, bucketMs);
    },
    async insertBulkRetry(task) {
      bulk.insertBulkRetry(ctx, task);
    },
    async getBulkRetry(id, tenant) {
      return bulk.getBulkRetry(ctx, id, tenant);
    },
    async listRunningBulkRetries() {
      return bulk.listRunningBulkRetries(ctx);
    },
    async claimBulkRetry(id, owner, now, leaseMs) {
      return bulk.claimBulkRetry(ctx, id, owner, now, leaseMs);
    },
    async updateBulkRetry(id, owner, progress, now) {
      return bulk.updateBulkRetry(ctx, id, owner, progress, now);
    },
    async cancelBulkRetry(id, tenant, now) {
      return bulk.cancelBulkRetry(ctx, id, tenant, now);
    },
    async queueDepth(now) {
      return deliveries.queueDepth(ctx, now);
    },
    async queueDepthByEndpoint(now, limit) {
      return deliveries.queueDepthByEndpoint(ctx, now, limit);
    },

    async insertSource(source) {
      sources.insertSource(ctx, source);
    },
    async getSource(id, tenant) {
      return sources.getSource(ctx, id, tenant);
    },
    async listSources(tenant, page) {
      return sources.listSources(ctx, tenant, page);
    },
    async updateSource(id, tenant, patch) {
      return sources.updateSource(ctx, id, tenant, patch);
    },
    async deleteSource(id, tenant) {
      return sources.deleteSource(ctx, id, tenant);
    },
    async recordInbound(request, event) {
      return sources.recordInbound(ctx, request, event);
    },
    async getInboundRequest(id, sourceId) {
      return sources.getInboundRequest(ctx, id, sourceId);
    },
    async listInboundRequests(query, page) {
      return sources.listInboundRequests(ctx, query, page);
    },

    async recordAudit(record) {
      writeAudit(ctx, record);
    },
    async listAudit(query, page) {
      return listAudit(ctx, query, page);
    },
    async pruneAudit(before, batchSize) {
      return pruneAudit(ctx, before, batchSize);
    },
    async claimAlertNotification(record) {
      return alerts.claimAlertNotification(ctx, record);
    },
    async setAlertNotificationOutcome(id, outcome, error) {
      alerts.setAlertNotificationOutcome(ctx, id, outcome, error);
    },
    async latestAlertNotification(ruleId, subjectId) {
      return alerts.latestAlertNotification(ctx, ruleId, subjectId);
    },
    async listAlertNotifications(tenant, limit) {
      return alerts.listAlertNotifications(ctx, tenant, limit);
    },
    async pruneAlertNotifications(before, batchSize) {
      return alerts.pruneAlertNotifications(ctx, before, batchSize);
    },
    async insertAlertChannel(channel) {
      alertConfig.insertAlertChannel(ctx, channel);
    },
    async getAlertChannel(id, tenant) {
      return alertConfig.getAlertChannel(ctx, id, tenant);
    },
    async listAlertChannels(tenant) {
      return alertConfig.listAlertChannels(ctx, tenant);
    },
    async updateAlertChannel(channel, tenant) {
      return alertConfig.updateAlertChannel(ctx, channel, tenant);
    },
    async deleteAlertChannel(id, tenant) {
      return alertConfig.deleteAlertChannel(ctx, id, tenant);
    },
    async insertAlertRule(rule) {
      alertConfig.insertAlertRule(ctx, rule);
    },
    async getAlertRule(id, tenant) {
      return alertConfig.getAlertRule(ctx, id, tenant);
    },
    async listAlertRules(tenant) {
      return alertConfig.listAlertRules(ctx, tenant);
    },
    async updateAlertRule(rule, tenant) {
      return alertConfig.updateAlertRule(ctx, rule, tenant);
    },
    async deleteAlertRule(id, tenant) {
      return alertConfig.deleteAlertRule(ctx, id, tenant);
    },
    async sourceVerdictCounts(since, until) {
      return alertConfig.sourceVerdictCounts(ctx, since, until);
    },
    async insertBin(bin, limit) {
      return bins.insertBin(ctx, bin, limit);
    },
    async getBin(id, tenant) {
      return bins.getBin(ctx, id, tenant);
    },
    async listBins(tenant, page) {
      return bins.listBins(ctx, tenant, page);
    },
    async countBins(tenant) {
      return bins.countBins(ctx, tenant);
    },
    async updateBin(id, tenant, patch) {
      return bins.updateBin(ctx, id, tenant, patch);
    },
    async deleteBin(id, tenant) {
      return bins.deleteBin(ctx, id, tenant);
    },
    async recordBinRequest(request, keep) {
      return bins.recordBinRequest(ctx, request, keep);
    },
    async listBinRequests(binId, page) {
      return bins.listBinRequests(ctx, binId, page);
    },
    async getBinRequest(binId, id) {
      return bins.getBinRequest(ctx, binId, id);
    },
    async pruneBins(now, batchSize) {
      return bins.pruneBins(ctx, now, batchSize);
    },
    async prune(before, batchSize) {
      return prune(ctx, before, batchSize);
    },

    async exportRows(table, afterKey, limit) {
      return transfer.exportRows(ctx, table, afterKey, limit);
    },
    async importRows(table, rows) {
      return transfer.importRows(ctx, table, rows);
    },
    async countRows(table) {
      return transfer.countRows(ctx, table);
    },
  };
  auditInTransactions(store, db, () => ctx);
  // Driver errors that mean "cannot do this now" (unreachable, or up but unable to write) leave the
  // adapter as StoreUnavailableError.
  return classifyStoreErrors(store, 'SQLite', isSqliteUnavailable);
}
