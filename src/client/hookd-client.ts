// hookd/client: a typed client of the whole v1 API.
//
//   const hookd = new HookdClient({ baseUrl: 'http://localhost:8080', apiKey: process.env.HOOKD_API_KEY });
//   const ep = await hookd.endpoints.create({ url: 'https://crm.example.com/hooks', eventTypes: ['chat.started'] });
//   await hookd.events.publish({ type: 'chat.started', data: { chatId: 'c_1' } });
//   for await (const d of hookd.deliveries.iterate({ status: 'failed' })) console.log(d.id, d.lastCode);
//
// Every method goes through OPERATIONS (the table test/client-openapi.test.ts checks against the
// server's OpenAPI document); answers are typed by the same wire models the server validates its
// answers against. Errors: HookdProblemError (any problem+json answer, with its stable code) and
// HookdNetworkError. A 503 is retried after its Retry-After (transport.ts).

import type * as W from '../wire/index.js';
import type * as I from './inputs.js';
import { OPERATIONS, fillPath, type OperationName } from './operations.js';
import { Transport, type ApiAnswer, type CallOptions, type Query, type TransportOptions } from './transport.js';

export interface PageOf<T> {
  data: T[];
  nextCursor: string | null;
}

/** Every item of a cursor-paginated list, page by page, as one async iterable. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>, options: { max?: number } = {}): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  let seen = 0;
  for (;;) {
    const page = await fetchPage(cursor);
    for (const item of page.data) {
      if (options.max !== undefined && seen >= options.max) return;
      seen++;
      yield item;
    }
    if (!page.nextCursor || page.data.length === 0) return;
    cursor = page.nextCursor;
  }
}

type Params = Record<string, string>;

/** The header form of an idempotency key: it also tells the transport that a 503 may be retried. */
const idempotencyHeader = (key: string | undefined): Record<string, string> | undefined => (key ? { 'idempotency-key': key } : undefined);

export class HookdClient {
  readonly transport: Transport;

  constructor(options: TransportOptions | Transport) {
    this.transport = options instanceof Transport ? options : new Transport(options);
  }

  /** One operation of the table with its path parameters, query and body; the parsed answer. */
  async call<T>(name: OperationName, params: Params = {}, call: CallOptions = {}): Promise<ApiAnswer<T>> {
    const operation = OPERATIONS[name];
    return this.transport.request<T>(operation.method, fillPath(operation.path, params), call);
  }

  private async body<T>(name: OperationName, params?: Params, call?: CallOptions): Promise<T> {
    return (await this.call<T>(name, params, call)).body;
  }

  private q(query: object | undefined): Query | undefined {
    return query as Query | undefined;
  }

  readonly events = {
    /** 202 when created, 200 when an idempotency key replays an earlier event (`replayed: true`). A 503 is retried only with an idempotency key. */
    publish: (input: I.PublishInput, options: { idempotencyKey?: string } = {}) =>
      this.body<W.PublishResultView>('publishEvent', {}, { body: input, headers: idempotencyHeader(options.idempotencyKey ?? input.idempotencyKey) }),
    publishBatch: (events: I.PublishInput[]) => this.body<W.BatchPublishResultView>('publishBatch', {}, { body: { events } }),
    /** The pull feed, oldest first; pass the answer's nextCursor as `after` (long-poll with `wait`). */
    feed: (query: I.FeedQuery = {}, signal?: AbortSignal) => this.body<W.EventFeedView>('eventFeed', {}, { query: this.q(query), signal }),
    get: (id: string) => this.body<W.EventView>('getEvent', { id }),
    deliveries: (id: string, query: I.PageQuery = {}) => this.body<PageOf<W.DeliveryView>>('listEventDeliveries', { id }, { query: this.q(query) }),
    recent: (query: I.RecentEventsQuery = {}) => this.body<W.RecentEventsView>('recentEvents', {}, { query: this.q(query) }),
  };

  readonly endpoints = {
    create: (input: I.EndpointInput) => this.body<W.EndpointCreatedView>('createEndpoint', {}, { body: input }),
    list: (query: I.PageQuery = {}) => this.body<PageOf<W.EndpointView>>('listEndpoints', {}, { query: this.q(query) }),
    iterate: (query: Omit<I.PageQuery, 'cursor'> = {}) => paginate((cursor) => this.endpoints.list({ ...query, cursor })),
    get: (id: string) => this.body<W.EndpointView>('getEndpoint', { id }),
    update: (id: string, patch: I.EndpointPatch) => this.body<W.EndpointView>('updateEndpoint', { id }, { body: patch }),
    delete: async (id: string): Promise<void> => void (await this.call('deleteEndpoint', { id })),
    secret: (id: string) => this.body<W.EndpointSecretView>('getEndpointSecret', { id }),
    rotateSecret: (id: string, input: { secret?: string; graceSeconds?: number } = {}) => this.body<W.RotatedSecretView>('rotateEndpointSecret', { id }, { body: input }),
    test: (id: string, input: { type?: string; data?: unknown } = {}) => this.body<W.EndpointTestResultView>('testEndpoint', { id }, { body: input }),
    recover: (id: string, input: { since: string; until?: string }) => this.body<W.RecoverResultView>('recoverEndpoint', { id }, { body: input }),
    stats: (id: string, query: { since?: string; until?: string } = {}) => this.body<W.EndpointStatsView>('endpointStats', { id }, { query: this.q(query) }),
    series: (id: string, query: { hours?: number } = {}) => this.body<W.EndpointSeriesView>('endpointSeries', { id }, { query: this.q(query) }),
    diagnose: (id: string) => this.body<W.DoctorReportView>('diagnoseEndpoint', { id }, { body: {} }),
    /** Run the saved transform, or a proposed one, on an example event: the request it would send. */
    testTransform: (id: string, input: { event?: I.ExampleEvent; transform?: I.TransformInput } = {}) => this.body<W.TransformTestResultView>('testTransform', { id }, { body: input }),
    transformVersions: (id: string) => this.body<W.TransformVersionsView>('transformVersions', { id }),
  };

  /** Ordered delivery per key (docs/routing.md): the blocked keys of an endpoint and what to do with one. */
  readonly ordering = {
    blocked: (endpointId: string, query: I.PageQuery = {}) => this.body<PageOf<W.BlockedKeyView>>('listBlockedKeys', { id: endpointId }, { query: this.q(query) }),
    retry: (endpointId: string, key: string) => this.body<W.OrderingActionResultView>('retryOrderingKey', { id: endpointId }, { body: { key } }),
    skip: (endpointId: string, key: string) => this.body<W.OrderingActionResultView>('skipOrderingKey', { id: endpointId }, { body: { key } }),
    release: (endpointId: string, key: string) => this.body<W.OrderingActionResultView>('releaseOrderingKey', { id: endpointId }, { body: { key } }),
  };

  readonly filters = {
    /** Whether a filter matches an example event, and why not. */
    test: (filter: Record<string, unknown>, event: I.ExampleEvent & { type: string }) => this.body<W.FilterTestResultView>('testFilter', {}, { body: { filter, event } }),
  };

  readonly deliveries = {
    list: (query: I.DeliveryQuery = {}) => this.body<PageOf<W.DeliveryView>>('listDeliveries', {}, { query: this.q(query) }),
    iterate: (query: Omit<I.DeliveryQuery, 'cursor'> = {}) => paginate((cursor) => this.deliveries.list({ ...query, cursor })),
    get: (id: string) => this.body<W.DeliveryWithAttemptsView>('getDelivery', { id }),
    retry: (id: string) => this.body<W.DeliveryView>('retryDelivery', { id }, { body: {} }),
  };

  readonly bulkRetries = {
    create: (filter: I.BulkRetryInput = {}) => this.body<W.BulkRetryView>('createBulkRetry', {}, { body: { filter } }),
    get: (id: string) => this.body<W.BulkRetryView>('getBulkRetry', { id }),
    cancel: (id: string) => this.body<W.BulkRetryView>('cancelBulkRetry', { id }, { body: {} }),
    delete: (id: string) => this.body<W.BulkRetryView>('deleteBulkRetry', { id }),
  };

  readonly eventTypes = {
    put: (name: string, input: I.EventTypeInput) => this.body<W.EventTypeView>('putEventType', { name }, { body: input }),
    list: (query: I.PageQuery = {}) => this.body<PageOf<W.EventTypeView>>('listEventTypes', {}, { query: this.q(query) }),
    iterate: () => paginate((cursor) => this.eventTypes.list({ cursor, limit: 250 })),
    get: (name: string) => this.body<W.EventTypeView>('getEventType', { name }),
    /** The type's example, or data generated from its JSON Schema (what `hookd trigger` publishes). */
    sample: (name: string) => this.body<W.EventTypeSampleView>('sampleEventType', { name }),
    delete: async (name: string): Promise<void> => void (await this.call('deleteEventType', { name })),
  };

  readonly apiKeys = {
    create: (input: I.ApiKeyInput = {}) => this.body<W.ApiKeyCreatedView>('createApiKey', {}, { body: input }),
    list: (query: I.PageQuery = {}) => this.body<PageOf<W.ApiKeyView>>('listApiKeys', {}, { query: this.q(query) }),
    iterate: () => paginate((cursor) => this.apiKeys.list({ cursor, limit: 250 })),
    revoke: async (id: string): Promise<void> => void (await this.call('revokeApiKey', { id })),
  };

  readonly signingKeys = {
    list: (query: { tenant?: string } = {}) => this.body<W.SigningKeyListView>('listSigningKeys', {}, { query: this.q(query) }),
    rotate: (input: { tenant?: string | null } = {}) => this.body<W.SigningKeyGroupView>('rotateSigningKeys', {}, { body: input }),
  };

  readonly sources = {
    create: (input: I.SourceInput) => this.body<W.SourceView>('createSource', {}, { body: input }),
    list: (query: I.PageQuery = {}) => this.body<PageOf<W.SourceView>>('listSources', {}, { query: this.q(query) }),
    iterate: () => paginate((cursor) => this.sources.list({ cursor, limit: 250 })),
    get: (id: string) => this.body<W.SourceView>('getSource', { id }),
    update: (id: string, patch: I.SourcePatch) => this.body<W.SourceView>('updateSource', { id }, { body: patch }),
    delete: async (id: string): Promise<void> => void (await this.call('deleteSource', { id })),
    requests: (id: string, query: I.SourceRequestQuery = {}) => this.body<PageOf<W.InboundRequestView>>('listSourceRequests', { id }, { query: this.q(query) }),
    request: (id: string, requestId: string) => this.body<W.InboundRequestView>('getSourceRequest', { id, requestId }),
    replay: (id: string, requestId: string) => this.body<W.ReplayResultView>('replaySourceRequest', { id, requestId }, { body: {} }),
  };

  readonly bins = {
    create: (input: I.BinInput = {}) => this.body<W.BinView>('createBin', {}, { body: input }),
    list: (query: I.PageQuery = {}) => this.body<PageOf<W.BinView>>('listBins', {}, { query: this.q(query) }),
    iterate: () => paginate((cursor) => this.bins.list({ cursor, limit: 250 })),
    get: (id: string) => this.body<W.BinView>('getBin', { id }),
    update: (id: string, patch: I.BinPatch) => this.body<W.BinView>('updateBin', { id }, { body: patch }),
    delete: async (id: string): Promise<void> => void (await this.call('deleteBin', { id })),
    requests: (id: string, query: I.PageQuery = {}) => this.body<PageOf<W.BinRequestView>>('listBinRequests', { id }, { query: this.q(query) }),
    request: (id: string, requestId: string) => this.body<W.BinRequestView>('getBinRequest', { id, requestId }),
    replay: (id: string, requestId: string, url: string) => this.body<W.BinReplayResultView>('replayBinRequest', { id, requestId }, { body: { url } }),
  };

  readonly doctor = {
    endpoint: (id: string) => this.endpoints.diagnose(id),
    url: (input: I.DiagnoseUrlInput) => this.body<W.DoctorReportView>('diagnoseUrl', {}, { body: input }),
    payload: (input: I.DiagnosePayloadInput) => this.body<W.DoctorReportView>('diagnosePayload', {}, { body: input }),
  };

  readonly meta = {
    whoami: () => this.body<W.WhoamiView>('whoami'),
    codes: () => this.body<W.CodesView>('codes'),
    overview: (query: { hours?: number; tenant?: string } = {}) => this.body<W.OverviewView>('overview', {}, { query: this.q(query) }),
  };

  /** Who changed what through the API, newest first (admin: every tenant; a tenant key: its own). */
  readonly audit = {
    list: (query: I.AuditQuery = {}) => this.body<PageOf<W.AuditRecordView>>('listAudit', {}, { query: this.q(query) }),
    iterate: (query: Omit<I.AuditQuery, 'cursor'> = {}) => paginate((cursor) => this.audit.list({ ...query, cursor })),
  };

  /** Alert notifications sent (or being sent), newest first; a tenant key sees its own. */
  readonly alerts = {
    notifications: (query: I.AlertNotificationsQuery = {}) =>
      this.body<W.AlertNotificationListView>('listAlertNotifications', {}, { query: this.q(query) }),
    channels: {
      create: (input: I.AlertChannelInput) => this.body<W.AlertChannelCreatedView>('createAlertChannel', {}, { body: input }),
      list: () => this.body<W.AlertChannelListView>('listAlertChannels'),
      get: (id: string) => this.body<W.AlertChannelView>('getAlertChannel', { id }),
      update: (id: string, patch: I.AlertChannelPatch) => this.body<W.AlertChannelView>('updateAlertChannel', { id }, { body: patch }),
      delete: async (id: string): Promise<void> => void (await this.call('deleteAlertChannel', { id })),
      /** Sends a test notification now; the answer is the channel's outcome (ok false with the error when it refused). */
      test: (id: string) => this.body<W.AlertChannelTestResultView>('testAlertChannel', { id }, { body: {} }),
    },
    rules: {
      create: (input: I.AlertRuleInput) => this.body<W.AlertRuleView>('createAlertRule', {}, { body: input }),
      list: () => this.body<W.AlertRuleListView>('listAlertRules'),
      get: (id: string) => this.body<W.AlertRuleView>('getAlertRule', { id }),
      update: (id: string, patch: I.AlertRulePatch) => this.body<W.AlertRuleView>('updateAlertRule', { id }, { body: patch }),
      delete: async (id: string): Promise<void> => void (await this.call('deleteAlertRule', { id })),
    },
  };

  readonly portalLinks = {
    create: (input: I.PortalLinkInput) => this.body<W.PortalLinkView>('createPortalLink', {}, { body: input }),
    revoke: async (id: string): Promise<void> => void (await this.call('revokePortalLink', { id })),
    /**
     * Exchange the link this client holds as its key (`apiKey: 'portal_<link token>'`) for a session;
     * a single-use link only once. Call the API with `portal_<session token>` afterwards.
     */
    exchange: () => this.body<W.PortalSessionView>('exchangePortalLink', {}, {}),
  };

  /** GET /v1/stream as the raw Response (text/event-stream); read it with any SSE parser. */
  stream(query: { topics?: string } = {}, signal?: AbortSignal): Promise<Response> {
    return this.transport.send('GET', OPERATIONS.stream.path, { query: this.q(query), signal, headers: { accept: 'text/event-stream' } });
  }
}
