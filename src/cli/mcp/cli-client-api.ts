// HookdApi over hookd/client's typed operations: the CLI's `client.api` (which adds the "is this
// hookd?" check) for stdio and --http, or an in-process client for `/mcp` on the server. The key decides what is visible: a tenant key sees only its tenant,
// because the server filters every call by it. Problem answers become the CLI's ApiError, which the
// tools render for the model.

import type { HookdClient as TypedClient } from '../../client/index.js';
import { withCliErrors } from '../client.js';
import type { HookdApi } from './hookd-api.js';

export function cliClientApi(api: TypedClient): HookdApi {
  return {
    whoami: () => withCliErrors(api.meta.whoami()),
    getEvent: (id) => withCliErrors(api.events.get(id)),
    eventDeliveries: (id) => withCliErrors(api.events.deliveries(id)),
    getDelivery: (id) => withCliErrors(api.deliveries.get(id)),
    listEndpoints: (cursor) => withCliErrors(api.endpoints.list({ limit: 250, ...(cursor !== undefined ? { cursor } : {}) })),
    listDeliveries: (q) => withCliErrors(api.deliveries.list(q as Parameters<typeof api.deliveries.list>[0])),
    diagnoseEndpoint: (id) => withCliErrors(api.endpoints.diagnose(id)),
    checkPayload: (payload, type) => withCliErrors(api.doctor.payload(type === undefined ? { payload } : { payload, type })),
    retryDelivery: (id) => withCliErrors(api.deliveries.retry(id)),
    recoverEndpoint: (id, since, until) => withCliErrors(api.endpoints.recover(id, until === undefined ? { since } : { since, until })),
  };
}
