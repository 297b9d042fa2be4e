// Request bins: one RouteModule registers the bins API (/v1/bins...) and the public capture URL
// (/bin/{id}, any method and subpath).

import type { RouteModule } from '../api/server.js';
import { registerBinRoutes } from './bin-routes.js';
import { registerCaptureRoute } from './capture-route.js';

export function createBinRoutes(): RouteModule {
  return async (app, ctx) => {
    registerBinRoutes(app, ctx);
    await registerCaptureRoute(app, ctx);
  };
}
