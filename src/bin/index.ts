// Request bins: one RouteModule registers the bins API (/v1/bins...) and the public capture URL
// (/bin/{id}, any method and subpath).

import type { RouteModule } from '../api/server.js';
import type { Sender } from '../delivery/sender-types.js';
import { registerBinRoutes } from './bin-routes.js';
import { registerCaptureRoute } from './capture-route.js';

export interface BinOptions {
  /** The delivery sender (SSRF policy applied) that replays a capture to a URL. */
  sender: Sender;
}

export function createBinRoutes(options: BinOptions): RouteModule {
  return async (app, ctx) => {
    registerBinRoutes(app, ctx, options.sender);
    await registerCaptureRoute(app, ctx);
  };
}
