// The PostgreSQL Store: several hookd processes on several machines share one database. Each concern
// lives in its own module (claims, results, publish, ...); this file only wires them to the contract.

import { endpointSeries } from './endpoint-series.js';
import * as bulk from './bulk-retries.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { Store } from '../store.js';
import { claimById, claimDue } from './claims.js';
import * as ordering from './ordering.js';
import { cancelPendingDeliveries, recoverDeliveries, releaseClaims, requeueDelivery } from './delivery-actions.js';
import {
  endpointStats,
  getDelivery,
  listAttempts,
  listDeliveries,
  listRecentAttempts,
  nextDueAt,
  queueDepth,
  queueDepthByEndpoint,
} from './deliveries.js';
import { countEndpoints, deleteEndpoint, getEndpoint, insertEndpoint, listEndpoints, updateEndpoint } from './endpoints.js';
import { countEventsByTenant, getEvent, lastEventSeq, listEventsFeed } from './events.js';
import {
  deleteSource,
  getInboundRequest,
  getSource,
  insertSource,
  listInboundRequests,
  listSources,
  recordInbound,
  updateSource,
} from './inbound.js';
import {
  countApiKeys,
  deleteEventType,
  findApiKeyByHash,
  getEventType,
  insertApiKey,
  listApiKeys,
  listEventTypes,
  putEventType,
  revokeApiKey,
  revokePortalLink,
  isPortalLinkRevoked,
  usePortalLink,
} from './keys-and-types.js';
import { heartbeatOwner, listLeaseOwners, releaseDeadOwners, retireOwner } from './lease-owners.js';
import { runMigrations } from './migrate.js';
import { insertSigningKey, listSigningKeys } from './signing-keys.js';
import { listenForEvents, notifyChannel } from './notify.js';
import { createPool, query, SCHEMA_PATTERN, schemaLockKey, type PgContext } from './pool.js';
import { prune } from './prune.js';
import * as alerts from './alert-notifications.js';
import * as alertConfig from './alert-config.js';
import * as bins from './bins.js';
import { listAudit, pruneAudit } from './audit.js';
import { writeAudit } from './audit-write.js';
import { publishEvents } from './publish.js';
import { recordResults } from './results.js';
import { countRows, exportRows, importRows } from './transfer.js';
import { classifyStoreErrors } from '../store-error.js';
import { isPostgresUnavailable } from './unavailable.js';

export interface PostgresStoreOptions {
  connectionString: string;
  secretBox: SecretBox;
  /** Schema holding hookd's tables (created by migrate); default 'public'. Tests use one each. */
  schema?: string;
  poolSize?: number;
  applicationName?: string;
  /** Named prepared statements (pool.ts); default true. False behind PgBouncer < 1.21 in transaction mode. */
  preparedStatements?: boolean | undefined;
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lowercase letters, digits and _ (at most 50)`);
  }
  const pool = createPool({
    connectionString: options.connectionString,
    schema,
    poolSize: options.poolSize,
    applicationName: options.applicationName,
    preparedStatements: options.preparedStatements,
  });
  const ctx: PgContext = { pool, box: options.secretBox, schema, channel: notifyChannel(schema), schemaKey: schemaLockKey(schema) };
  let closed: Promise<void> | null = null;

  const store: Store = {
    dialect: 'postgres',
    capabilities: { multiProcess: true, crossProcessNotify: true },

    migrate: async () => {
      await runMigrations(pool, schema);
    },
    ping: async () => {
      await query(pool, 'SELECT 1');
    },
    listen: (onChange) => listenForEvents(options.connectionString, schema, onChange),
    close: () => (closed ??= pool.end()),

    insertApiKey: (key) => insertApiKey(ctx, key),
    findApiKeyByHash: (hash) => findApiKeyByHash(ctx, hash),
    listApiKeys: (page) => listApiKeys(ctx, page),
    revokeApiKey: (id, at) => revokeApiKey(ctx, id, at),
    revokePortalLink: (id, at, expiresAt) => revokePortalLink(ctx, id, at, expiresAt),
    isPortalLinkRevoked: (id) => isPortalLinkRevoked(ctx, id),
    usePortalLink: (id, at, expiresAt) => usePortalLink(ctx, id, at, expiresAt),
    countApiKeys: () => countApiKeys(ctx),

    listSigningKeys: (tenant) => listSigningKeys(ctx, tenant),
    insertSigningKey: (key, retire) => insertSigningKey(ctx, key, retire),

    putEventType: (type) => putEventType(ctx, type),
    getEventType: (name) => getEventType(ctx, name),
    listEventTypes: (page) => listEventTypes(ctx, page),
    deleteEventType: (name) => deleteEventType(ctx, name),

    insertEndpoint: (endpoint, limit) => insertEndpoint(ctx, endpoint, limit),
    getEndpoint: (id, tenant) => getEndpoint(ctx, id, tenant),
    listEndpoints: (tenant, page) => listEndpoints(ctx, tenant, page),
    countEndpoints: (tenant) => countEndpoints(ctx, tenant),
    updateEndpoint: (id, tenant, patch, announce) => updateEndpoint(ctx, id, tenant, patch, announce),
    deleteEndpoint: (id, tenant) => deleteEndpoint(ctx, id, tenant),

    // Autocommit: the endpoint read and one statement that locks, inserts and notifies (publish.ts).
    publishEvents: (events) => publishEvents(ctx, events),
    getEvent: (id, tenant) => getEvent(ctx, id, tenant),
    listEventsFeed: (q) => listEventsFeed(ctx, q),
    lastEventSeq: () => lastEventSeq(ctx),
    countEventsByTenant: (types, since) => countEventsByTenant(ctx, types, since),

    claimDue: (req) => claimDue(ctx, req),
    claimById: (id, req) => claimById(ctx, id, req),
    recordResults: (results) => recordResults(ctx, results),
    releaseClaims: (claims, at) => releaseClaims(ctx, claims, at),
    heartbeatOwner: (owner, now) => heartbeatOwner(ctx, owner, now),
    listLeaseOwners: () => listLeaseOwners(ctx),
    releaseDeadOwners: (owners, now) => releaseDeadOwners(ctx, owners, now),
    retireOwner: (owner) => retireOwner(ctx, owner),
    nextDueAt: () => nextDueAt(ctx),
    getDelivery: (id, tenant) => getDelivery(ctx, id, tenant),
    listDeliveries: (q, page) => listDeliveries(ctx, q, page),
    listAttempts: (deliveryId) => listAttempts(ctx, deliveryId),
    listRecentAttempts: (endpointId, limit) => listRecentAttempts(ctx, endpointId, limit),
    requeueDelivery: (id, tenant, now, how) => requeueDelivery(ctx, id, tenant, now, how),
    recoverDeliveries: (endpointId, since, until, now) => recoverDeliveries(ctx, endpointId, since, until, now),
    cancelPendingDeliveries: (endpointId, code, now) => cancelPendingDeliveries(ctx, endpointId, code, now),
    endpointStats: (endpointId, since, until) => endpointStats(ctx, endpointId, since, until),
    listBlockedKeys: (endpointId, page) => ordering.listBlockedKeys(ctx, endpointId, page),
    orderingAction: (endpointId, key, action, now) => ordering.orderingAction(ctx, endpointId, key, action, now),
    endpointSeries: (endpointId, since, until, bucketMs) => endpointSeries(ctx, endpointId, since, until, bucketMs),
    insertBulkRetry: (task) => bulk.insertBulkRetry(ctx, task),
    getBulkRetry: (id, tenant) => bulk.getBulkRetry(ctx, id, tenant),
    listRunningBulkRetries: () => bulk.listRunningBulkRetries(ctx),
    claimBulkRetry: (id, owner, now, leaseMs) => bulk.claimBulkRetry(ctx, id, owner, now, leaseMs),
    updateBulkRetry: (id, owner, progress, now) => bulk.updateBulkRetry(ctx, id, owner, progress, now),
    cancelBulkRetry: (id, tenant, now) => bulk.cancelBulkRetry(ctx, id, tenant, now),
    queueDepth: (now) => queueDepth(ctx, now),
    queueDepthByEndpoint: (now, limit) => queueDepthByEndpoint(ctx, now, limit),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),

    insertSource: (source) => insertSource(ctx, source),
    getSource: (id, tenant) => getSource(ctx, id, tenant),
    listSources: (tenant, page) => listSources(ctx, tenant, page),
    updateSource: (id, tenant, patch) => updateSource(ctx, id, tenant, patch),
    deleteSource: (id, tenant) => deleteSource(ctx, id, tenant),
    recordInbound: (request, event) => recordInbound(ctx, request, event),
    getInboundRequest: (id, sourceId) => getInboundRequest(ctx, id, sourceId),
    listInboundRequests: (q, page) => listInboundRequests(ctx, q, page),

    insertBin: (bin, limit) => bins.insertBin(ctx, bin, limit),
    getBin: (id, tenant) => bins.getBin(ctx, id, tenant),
    listBins: (tenant, page) => bins.listBins(ctx, tenant, page),
    countBins: (tenant) => bins.countBins(ctx, tenant),
    updateBin: (id, tenant, patch) => bins.updateBin(ctx, id, tenant, patch),
    deleteBin: (id, tenant) => bins.deleteBin(ctx, id, tenant),
    recordBinRequest: (request, keep) => bins.recordBinRequest(ctx, request, keep),
    listBinRequests: (binId, page) => bins.listBinRequests(ctx, binId, page),
    getBinRequest: (binId, id) => bins.getBinRequest(ctx, binId, id),
    pruneBins: (now, batchSize) => bins.pruneBins(ctx, now, batchSize),

    prune: (before, batchSize) => prune(ctx, before, batchSize),
    recordAudit: (record) => writeAudit(ctx.pool, record),
    listAudit: (q, page) => listAudit(ctx, q, page),
    pruneAudit: (before, batchSize) => pruneAudit(ctx, before, batchSize),
    claimAlertNotification: (record) => alerts.claimAlertNotification(ctx, record),
    setAlertNotificationOutcome: (id, outcome, error) => alerts.setAlertNotificationOutcome(ctx, id, outcome, error),
    latestAlertNotification: (ruleId, subjectId) => alerts.latestAlertNotification(ctx, ruleId, subjectId),
    listAlertNotifications: (tenant, limit) => alerts.listAlertNotifications(ctx, tenant, limit),
    pruneAlertNotifications: (before, batchSize) => alerts.pruneAlertNotifications(ctx, before, batchSize),
    insertAlertChannel: (channel) => alertConfig.insertAlertChannel(ctx, channel),
    getAlertChannel: (id, tenant) => alertConfig.getAlertChannel(ctx, id, tenant),
    listAlertChannels: (tenant) => alertConfig.listAlertChannels(ctx, tenant),
    updateAlertChannel: (channel, tenant) => alertConfig.updateAlertChannel(ctx, channel, tenant),
    deleteAlertChannel: (id, tenant) => alertConfig.deleteAlertChannel(ctx, id, tenant),
    insertAlertRule: (rule) => alertConfig.insertAlertRule(ctx, rule),
    getAlertRule: (id, tenant) => alertConfig.getAlertRule(ctx, id, tenant),
    listAlertRules: (tenant) => alertConfig.listAlertRules(ctx, tenant),
    updateAlertRule: (rule, tenant) => alertConfig.updateAlertRule(ctx, rule, tenant),
    deleteAlertRule: (id, tenant) => alertConfig.deleteAlertRule(ctx, id, tenant),
    sourceVerdictCounts: (since, until) => alertConfig.sourceVerdictCounts(ctx, since, until),

    exportRows: (table, afterKey, limit) => exportRows(ctx, table, afterKey, limit),
    importRows: (table, rows) => importRows(ctx, table, rows),
    countRows: (table) => countRows(ctx, table),
  };
  // Driver errors that mean "cannot do this now" (unreachable, or up but unable to write) leave the
  // adapter as StoreUnavailableError.
  return classifyStoreErrors(store, 'PostgreSQL', isPostgresUnavailable);
}
