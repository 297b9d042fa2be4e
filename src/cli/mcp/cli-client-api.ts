// HookdApi over hookd/client's typed operations (client.api of the CLI's client, which adds the
// "is this hookd?" check). The key decides what is visible: a tenant key sees only its tenant,
// because the server filters every call by it. Problem answers become the CLI's ApiError, which the
// tools render for the model.

import { HookdProblemError } from '../../client/index.js';
import { toApiError, type HookdClient } from '../client.js';
import type { HookdApi } from './hookd-api.js';

async function cliErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof HookdProblemError) throw toApiError(err.status, err.problem ?? (err.detail !== '' ? err.detail : null));
    throw err;
  }
}

export function cliClientApi(client: HookdClient): HookdApi {
  const api = client.api;
  return {
    whoami: () => cliErrors(api.meta.whoami()),
    getEvent: (id) => cliErrors(api.events.get(id)),
    eventDeliveries: (id) => cliErrors(api.events.deliveries(id)),
    getDelivery: (id) => cliErrors(api.deliveries.get(id)),
    listEndpoints: (cursor) => cliErrors(api.endpoints.list({ limit: 250, ...(cursor !== undefined ? { cursor } : {}) })),
    listDeliveries: (q) => cliErrors(api.deliveries.list(q as Parameters<typeof api.deliveries.list>[0])),
    diagnoseEndpoint: (id) => cliErrors(api.endpoints.diagnose(id)),
    checkPayload: (payload, type) => cliErrors(api.doctor.payload(type === undefined ? { payload } : { payload, type })),
    retryDelivery: (id) => cliErrors(api.deliveries.retry(id)),
    recoverEndpoint: (id, since, until) => cliErrors(api.endpoints.recover(id, until === undefined ? { since } : { since, until })),
  };
}
