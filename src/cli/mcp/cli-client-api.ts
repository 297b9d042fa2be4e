// HookdApi over the CLI's HTTP client (the key of the client decides what is visible: a tenant key
// sees only its tenant, because the server filters every call by it).

import type { DeliveryView, EndpointView, Page } from '../api-types.js';
import type { HookdClient } from '../client.js';
import { enc } from '../command-kit.js';
import type { Caller, HookdApi } from './hookd-api.js';

export function cliClientApi(client: HookdClient): HookdApi {
  return {
    whoami: async () => (await client.get<Caller>('/v1/meta/whoami')).body,
    getEvent: async (id) => (await client.get(`/v1/events/${enc(id)}`)).body,
    eventDeliveries: async (id) => (await client.get<Page<DeliveryView>>(`/v1/events/${enc(id)}/deliveries`)).body,
    getDelivery: async (id) => (await client.get<DeliveryView>(`/v1/deliveries/${enc(id)}`)).body,
    listEndpoints: async (cursor) => (await client.get<Page<EndpointView>>('/v1/endpoints', { limit: 250, cursor })).body,
    listDeliveries: async (q) => (await client.get<Page<DeliveryView>>('/v1/deliveries', { ...q })).body,
    diagnoseEndpoint: async (id) => (await client.post(`/v1/endpoints/${enc(id)}/diagnose`, {})).body,
    checkPayload: async (payload, type) => (await client.post('/v1/diagnose/payload', type === undefined ? { payload } : { payload, type })).body,
    retryDelivery: async (id) => (await client.post<DeliveryView>(`/v1/deliveries/${enc(id)}/retry`, {})).body,
    recoverEndpoint: async (id, since, until) => (await client.post<{ recovered: number; endpointEnabled: boolean }>(`/v1/endpoints/${enc(id)}/recover`, until === undefined ? { since } : { since, until })).body,
  };
}
