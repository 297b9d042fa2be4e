// HookdApi over hookd/client's typed operations (client.api of the CLI's client, which adds the
// "is this hookd?" check). The key decides what is visible: a tenant key sees only its tenant,
// because the server filters every call by it. Problem answers become the CLI's ApiError, which the
// tools render for the model.

import { withCliErrors, type HookdClient } from '../client.js';
import type { HookdApi } from './hookd-api.js';

export function cliClientApi(client: HookdClient): HookdApi {
  const api = client.api;
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
