// Every operation of the v1 API the client calls: method, path (OpenAPI form) and the title of the
// success model per status. test/client-openapi.test.ts holds this table against /openapi.json in
// both directions: a route the server adds without a client operation fails it, and so does an
// operation whose path, method or answer model the server does not document.

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** status -> model title (`null`: no body, e.g. 204; `text`: a text body such as an event stream). */
  responses: Record<number, string | null>;
}

const op = (method: Operation['method'], path: string, responses: Operation['responses']): Operation => ({ method, path, responses });

export const OPERATIONS = {
  publishEvent: op('POST', '/v1/events', { 200: 'PublishResult', 202: 'PublishResult' }),
  publishBatch: op('POST', '/v1/events/batch', { 202: 'BatchPublishResult' }),
  eventFeed: op('GET', '/v1/events', { 200: 'EventFeed' }),
  getEvent: op('GET', '/v1/events/{id}', { 200: 'Event' }),
  listEventDeliveries: op('GET', '/v1/events/{id}/deliveries', { 200: 'DeliveryPage' }),

  createEndpoint: op('POST', '/v1/endpoints', { 201: 'EndpointCreated' }),
  listEndpoints: op('GET', '/v1/endpoints', { 200: 'EndpointPage' }),
  getEndpoint: op('GET', '/v1/endpoints/{id}', { 200: 'Endpoint' }),
  updateEndpoint: op('PATCH', '/v1/endpoints/{id}', { 200: 'Endpoint' }),
  deleteEndpoint: op('DELETE', '/v1/endpoints/{id}', { 204: null }),
  getEndpointSecret: op('GET', '/v1/endpoints/{id}/secret', { 200: 'EndpointSecret' }),
  rotateEndpointSecret: op('POST', '/v1/endpoints/{id}/rotate-secret', { 200: 'RotatedSecret' }),
  testEndpoint: op('POST', '/v1/endpoints/{id}/test', { 200: 'EndpointTestResult' }),
  recoverEndpoint: op('POST', '/v1/endpoints/{id}/recover', { 200: 'RecoverResult' }),
  endpointStats: op('GET', '/v1/endpoints/{id}/stats', { 200: 'EndpointStats' }),
  endpointSeries: op('GET', '/v1/endpoints/{id}/series', { 200: 'EndpointSeries' }),
  diagnoseEndpoint: op('POST', '/v1/endpoints/{id}/diagnose', { 200: 'DoctorReport' }),
  testTransform: op('POST', '/v1/endpoints/{id}/transform/test', { 200: 'TransformTestResult' }),
  transformVersions: op('GET', '/v1/endpoints/{id}/transform/versions', { 200: 'TransformVersions' }),
  listBlockedKeys: op('GET', '/v1/endpoints/{id}/ordering/blocked', { 200: 'BlockedKeyPage' }),
  retryOrderingKey: op('POST', '/v1/endpoints/{id}/ordering/retry', { 200: 'OrderingActionResult' }),
  skipOrderingKey: op('POST', '/v1/endpoints/{id}/ordering/skip', { 200: 'OrderingActionResult' }),
  releaseOrderingKey: op('POST', '/v1/endpoints/{id}/ordering/release', { 200: 'OrderingActionResult' }),
  testFilter: op('POST', '/v1/filters/test', { 200: 'FilterTestResult' }),

  listDeliveries: op('GET', '/v1/deliveries', { 200: 'DeliveryPage' }),
  getDelivery: op('GET', '/v1/deliveries/{id}', { 200: 'DeliveryWithAttempts' }),
  retryDelivery: op('POST', '/v1/deliveries/{id}/retry', { 202: 'Delivery' }),

  createBulkRetry: op('POST', '/v1/bulk-retries', { 202: 'BulkRetry' }),
  getBulkRetry: op('GET', '/v1/bulk-retries/{id}', { 200: 'BulkRetry' }),
  deleteBulkRetry: op('DELETE', '/v1/bulk-retries/{id}', { 200: 'BulkRetry', 202: 'BulkRetry' }),
  cancelBulkRetry: op('POST', '/v1/bulk-retries/{id}/cancel', { 200: 'BulkRetry', 202: 'BulkRetry' }),

  putEventType: op('PUT', '/v1/event-types/{name}', { 200: 'EventType', 201: 'EventType' }),
  listEventTypes: op('GET', '/v1/event-types', { 200: 'EventTypePage' }),
  sampleEventType: op('GET', '/v1/event-types/{name}/sample', { 200: 'EventTypeSample' }),
  getEventType: op('GET', '/v1/event-types/{name}', { 200: 'EventType' }),
  deleteEventType: op('DELETE', '/v1/event-types/{name}', { 204: null }),

  createApiKey: op('POST', '/v1/api-keys', { 201: 'ApiKeyCreated' }),
  listApiKeys: op('GET', '/v1/api-keys', { 200: 'ApiKeyPage' }),
  revokeApiKey: op('DELETE', '/v1/api-keys/{id}', { 204: null }),

  listSigningKeys: op('GET', '/v1/signing-keys', { 200: 'SigningKeyList' }),
  rotateSigningKeys: op('POST', '/v1/signing-keys/rotate', { 200: 'RotatedKeys' }),

  stream: op('GET', '/v1/stream', { 200: 'text' }),

  diagnoseUrl: op('POST', '/v1/diagnose', { 200: 'DoctorReport' }),
  diagnosePayload: op('POST', '/v1/diagnose/payload', { 200: 'DoctorReport' }),

  createSource: op('POST', '/v1/sources', { 201: 'Source' }),
  listSources: op('GET', '/v1/sources', { 200: 'SourcePage' }),
  getSource: op('GET', '/v1/sources/{id}', { 200: 'Source' }),
  updateSource: op('PATCH', '/v1/sources/{id}', { 200: 'Source' }),
  deleteSource: op('DELETE', '/v1/sources/{id}', { 204: null }),
  listSourceRequests: op('GET', '/v1/sources/{id}/requests', { 200: 'InboundRequestPage' }),
  getSourceRequest: op('GET', '/v1/sources/{id}/requests/{requestId}', { 200: 'InboundRequest' }),
  replaySourceRequest: op('POST', '/v1/sources/{id}/requests/{requestId}/replay', { 202: 'ReplayResult' }),
  createBin: op('POST', '/v1/bins', { 201: 'Bin' }),
  listBins: op('GET', '/v1/bins', { 200: 'BinPage' }),
  getBin: op('GET', '/v1/bins/{id}', { 200: 'Bin' }),
  updateBin: op('PATCH', '/v1/bins/{id}', { 200: 'Bin' }),
  deleteBin: op('DELETE', '/v1/bins/{id}', { 204: null }),
  listBinRequests: op('GET', '/v1/bins/{id}/requests', { 200: 'BinRequestPage' }),
  getBinRequest: op('GET', '/v1/bins/{id}/requests/{requestId}', { 200: 'BinRequest' }),
  replayBinRequest: op('POST', '/v1/bins/{id}/requests/{requestId}/replay', { 200: 'BinReplayResult' }),

  listAudit: op('GET', '/v1/audit', { 200: 'AuditPage' }),
  listAlertNotifications: op('GET', '/v1/alerts/notifications', { 200: 'AlertNotificationList' }),
  createAlertChannel: op('POST', '/v1/alerts/channels', { 201: 'AlertChannelCreated' }),
  listAlertChannels: op('GET', '/v1/alerts/channels', { 200: 'AlertChannelList' }),
  getAlertChannel: op('GET', '/v1/alerts/channels/{id}', { 200: 'AlertChannel' }),
  updateAlertChannel: op('PATCH', '/v1/alerts/channels/{id}', { 200: 'AlertChannel' }),
  deleteAlertChannel: op('DELETE', '/v1/alerts/channels/{id}', { 204: null }),
  testAlertChannel: op('POST', '/v1/alerts/channels/{id}/test', { 200: 'AlertChannelTestResult' }),
  createAlertRule: op('POST', '/v1/alerts/rules', { 201: 'AlertRule' }),
  listAlertRules: op('GET', '/v1/alerts/rules', { 200: 'AlertRuleList' }),
  getAlertRule: op('GET', '/v1/alerts/rules/{id}', { 200: 'AlertRule' }),
  updateAlertRule: op('PATCH', '/v1/alerts/rules/{id}', { 200: 'AlertRule' }),
  deleteAlertRule: op('DELETE', '/v1/alerts/rules/{id}', { 204: null }),

  whoami: op('GET', '/v1/meta/whoami', { 200: 'Whoami' }),
  codes: op('GET', '/v1/meta/codes', { 200: 'Codes' }),
  overview: op('GET', '/v1/meta/overview', { 200: 'Overview' }),
  recentEvents: op('GET', '/v1/meta/recent-events', { 200: 'RecentEvents' }),
  createPortalLink: op('POST', '/v1/portal-links', { 201: 'PortalLink' }),
  revokePortalLink: op('DELETE', '/v1/portal-links/{id}', { 204: null }),
  exchangePortalLink: op('POST', '/v1/portal/session', { 201: 'PortalSession' }),
} as const satisfies Record<string, Operation>;

export type OperationName = keyof typeof OPERATIONS;

/** `/v1/endpoints/{id}` with `{ id: 'ep_1' }` -> `/v1/endpoints/ep_1` (each value percent-encoded). */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(value);
  });
}
