// Inbound sources: raw body -> verify -> dedupe -> store -> route. One RouteModule registers the
// sources API (/v1/sources...) and the public ingress (POST /in/{sourceId}).
//
// Trusted proxies: X-Forwarded-For is read only when the socket peer is in `trustedProxies` (a module
// option, for the composition root to fill from configuration). Without it, the client address is
// the socket peer, always.

import type { RouteModule } from '../api/server.js';
import { parseCidrList } from './client-ip.js';
import { registerIngressRoute } from './ingress-route.js';
import { registerSourceRoutes } from './source-routes.js';

export interface InboundOptions {
  /** CIDR ranges (or addresses) of reverse proxies whose X-Forwarded-For is believed. Default: none. */
  trustedProxies?: readonly string[] | undefined;
}

export function createInboundRoutes(options: InboundOptions = {}): RouteModule {
  // Parsed once, here: a typo in a proxy range fails at start-up, not on the first request.
  const trustedProxies = parseCidrList(options.trustedProxies ?? []);
  return async (app, ctx) => {
    registerSourceRoutes(app, ctx);
    await registerIngressRoute(app, ctx, { trustedProxies });
  };
}

export { createConsumerManager, type ConsumerManager } from './consumers/consumer-manager.js';
