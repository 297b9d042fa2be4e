// The narrow seam between the MCP tools and hookd: every server call a tool makes, and nothing else.
// It is implemented over hookd/client's typed operations (cli-client-api.ts).

import type { DeliveryView, EndpointView, Page } from '../api-types.js';

export interface Caller {
  role: 'admin' | 'tenant';
  tenant: string | null;
  /** A tenant-portal token (read-only by nature for replays here). */
  portal?: boolean;
}

export interface DeliveryQuery {
  endpoint?: string;
  status?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface HookdApi {
  whoami(): Promise<Caller>;
  getEvent(id: string): Promise<unknown>;
  eventDeliveries(id: string): Promise<Page<DeliveryView>>;
  getDelivery(id: string): Promise<DeliveryView>;
  listEndpoints(cursor?: string): Promise<Page<EndpointView>>;
  listDeliveries(query: DeliveryQuery): Promise<Page<DeliveryView>>;
  diagnoseEndpoint(id: string): Promise<unknown>;
  checkPayload(payload: string, type?: string): Promise<unknown>;
  retryDelivery(id: string): Promise<DeliveryView>;
  recoverEndpoint(id: string, since: string, until?: string): Promise<{ recovered: number; endpointEnabled: boolean }>;
}
