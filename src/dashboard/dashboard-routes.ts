// The web dashboard: static files from web/ (no build step), the tenant portal entry point, the
// portal-link routes (and the link-for-session exchange), and the small /v1/meta routes the pages read. Registered as a RouteModule by the
// composition root.

import { recordStandaloneAudit } from '../api/audit-routes.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookdError } from '../core/errors.js';
import fastifyStatic from '@fastify/static';
import type { RouteModule } from '../api/server.js';
import type { ApiContext } from '../api/context.js';
import { principalOf, requireAdmin } from '../api/auth.js';
import { tenantSchema } from '../api/schemas/common.js';
import { dashboardHeaders } from './security-headers.js';
import { registerMetaRoutes } from './meta-routes.js';
import { registerPortalSessionRoute } from './portal-session-route.js';
import {
  BRAND_NAME_PATTERN,
  COLOR_PATTERN,
  createPortalToken,
  LOGO_URL_PATTERN,
  MAX_PORTAL_TTL_SECONDS,
  MIN_PORTAL_TTL_SECONDS,
  portalTokenOfBearer,
  verifyPortalToken,
  type PortalClaims,
  type PortalTheme,
} from '../security/portal-token.js';
import { grantedCapabilities, PORTAL_CAPABILITIES, type PortalCapability } from '../core/portal-capabilities.js';
import { PortalLinkModel } from '../wire/index.js';
import { NoContent, responses } from '../api/responses.js';

export interface DashboardOptions {
  /** The folder holding index.html; defaults to <package root>/web. */
  webRoot?: string;
  /**
   * The HMAC key for portal tokens. Defaults to a key derived from the master secret key
   * (HOOKD_SECRET_KEY or <dataDir>/secret.key), which every process of a deployment shares.
   */
  portalKey?: Buffer | ((ctx: ApiContext) => Buffer);
}

/**
 * The package root is the nearest ancestor holding package.json: src/dashboard/ under tsx and vitest,
 * dist/src/dashboard/ or dist/dashboard/ after tsc. Searching instead of a fixed `../..` keeps both layouts working.
 */
export function findWebRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'))) return join(dir, 'web');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`hookd dashboard: no web/index.html found above ${from}`);
}

/** A stand-alone HTML answer for a bad portal link (the app itself cannot load without a token). */
function portalErrorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>hookd portal</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/styles.css"></head><body><main class="signin"><div class="card"><h1>Portal link not valid</h1><p>${message}</p><p>Ask for a new link.</p></div></main></body></html>`;
}

export function createDashboardRoutes(options: DashboardOptions = {}): RouteModule {
  return async (app: FastifyInstance, ctx: ApiContext) => {
    const webRoot = options.webRoot ?? findWebRoot();
    // The key comes from the composition root (derived from the secret key there): this module never
    // reads or creates the secret key file itself.
    const portalKey = typeof options.portalKey === 'function' ? options.portalKey(ctx) : (options.portalKey ?? ctx.portalKey);
    if (!portalKey) throw new Error('hookd dashboard: no portal key (pass options.portalKey or set ApiContext.portalKey)');
    const indexHtml = readFileSync(join(webRoot, 'index.html'));
    const favicon = readFileSync(join(webRoot, 'favicon.svg'));

    // The claims of the calling portal token (null for API keys). The authenticator has already
    // accepted it; reading it again gives the read-only flag and theme without widening Principal.
    const portalClaimsOf = (request: FastifyRequest): PortalClaims | null => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const token = bearer ? portalTokenOfBearer(bearer) : null;
      if (token === null) return null;
      const verdict = verifyPortalToken(token, portalKey, ctx.now());
      return verdict.ok ? verdict : null;
    };

    // What a portal session may call is decided by its capabilities in the app's onRequest hook
    // (src/api/portal-route-table.ts); a read-only link is the capability `view` alone.

    registerMetaRoutes(app, ctx, portalClaimsOf);
    registerPortalSessionRoute(app, ctx, portalKey, portalClaimsOf);

    app.post(
      '/v1/portal-links',
      {
        schema: {
        response: responses({ 201: PortalLinkModel }),
          tags: ['dashboard'],
          summary: "Create a short-lived link to a tenant's portal (admin)",
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['tenant'],
            properties: {
              tenant: { ...tenantSchema, type: 'string' },
              ttlSeconds: { type: 'integer', minimum: MIN_PORTAL_TTL_SECONDS, maximum: MAX_PORTAL_TTL_SECONDS, default: 3600 },
              singleUse: {
                type: 'boolean',
                default: true,
                description: 'The link is exchanged once for a session (POST /v1/portal/session, which the portal page does) and authenticates nothing else. false: the link itself is a bearer token until it expires.',
              },
              readOnly: { type: 'boolean', default: false, description: "The portal shows everything and changes nothing: the same as `capabilities: ['view']`." },
              capabilities: {
                type: 'array',
                uniqueItems: true,
                maxItems: PORTAL_CAPABILITIES.length,
                items: { type: 'string', enum: [...PORTAL_CAPABILITIES] },
                description: 'What the portal may do (view is always granted). Left out: everything, or view alone with readOnly.',
              },
              theme: {
                type: 'object',
                additionalProperties: false,
                description: "The portal's look, carried in the signed token.",
                properties: {
                  brandName: { type: 'string', minLength: 1, maxLength: 64, pattern: BRAND_NAME_PATTERN.source },
                  logoUrl: { type: 'string', maxLength: 381, pattern: LOGO_URL_PATTERN.source, description: 'An https: URL or a same-origin path.' },
                  primaryColor: { type: 'string', pattern: COLOR_PATTERN.source, description: '#rgb or #rrggbb' },
                },
              },
            },
          },
        },
      },
      async (request, reply) => {
        requireAdmin(principalOf(request));
        const body = request.body as { tenant: string; ttlSeconds: number; singleUse: boolean; readOnly: boolean; capabilities?: PortalCapability[]; theme?: PortalTheme };
        const capabilities = grantedCapabilities(body.readOnly, body.capabilities);
        if (body.readOnly && capabilities.length > 1) {
          throw new HookdError('validation_failed', 'readOnly grants view only: leave it out or drop the other capabilities.', { errors: [{ path: '/body/capabilities', message: 'must be empty or ["view"] when readOnly is true' }] });
        }
        let minted: { token: string; expiresAt: number; id: string };
        try {
          minted = createPortalToken(body.tenant, body.ttlSeconds, portalKey, ctx.now(), { capabilities, theme: body.theme, singleUse: body.singleUse });
        } catch (err) {
          // The schema checks each field; only the combined length can still be refused here.
          throw new HookdError('validation_failed', (err as Error).message, { errors: [{ path: '/body/theme', message: (err as Error).message }] });
        }
        const { token, expiresAt, id } = minted;
        await recordStandaloneAudit(ctx.store);
        const base = ctx.config.publicUrl ? ctx.config.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ id, url: `${base}/portal?token=${encodeURIComponent(token)}`, token, tenant: body.tenant, expiresAt: new Date(expiresAt).toISOString(), readOnly: capabilities.length === 1, capabilities, theme: body.theme ?? null, singleUse: body.singleUse });
      },
    );

    app.delete(
      '/v1/portal-links/:id',
      {
        schema: {
          response: responses({ 204: NoContent }),
          tags: ['dashboard'],
          summary: 'Revoke a portal link before it expires (admin); its open streams close at once',
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^pl_[0-9a-f]{32}$' } } },
        },
      },
      async (request, reply) => {
        requireAdmin(principalOf(request));
        const { id } = request.params as { id: string };
        const at = ctx.now();
        // A link's expiry is in its token, not stored: keep the revocation for the longest a link can live.
        await ctx.store.revokePortalLink(id, at, at + MAX_PORTAL_TTL_SECONDS * 1000);
        // Open streams check their credential again now: this link's close at once.
        app.authenticator.invalidate();
        return reply.code(204).send();
      },
    );

    // Static files and the portal page in their own scope, so their headers do not touch /v1.
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, {
        root: webRoot,
        prefix: '/',
        // Routes for the files present at start-up, not a catch-all: unknown paths keep the API's
        // problem+json 404.
        wildcard: false,
        index: 'index.html',
        // No content hashes without a build step, so browsers revalidate (ETag) on every load:
        // cheap 304s, and an upgrade is never half-applied from a stale cache.
        cacheControl: false,
        etag: true,
        lastModified: true,
        dotfiles: 'deny',
        setHeaders: (reply) => {
          void reply.headers({ ...dashboardHeaders(false), 'cache-control': 'no-cache' });
        },
      });

      // hookd/client as compiled JavaScript: web/api.js imports it from /client/index.js, so the
      // dashboard calls the API through the same client the CLI and integrators use. It is the
      // compiler's output (npm start and npm test build it first), never TypeScript source.
      const clientRoot = join(dirname(webRoot), 'dist', 'client');
      if (!existsSync(join(clientRoot, 'index.js'))) throw new Error(`hookd dashboard: ${clientRoot}/index.js is missing; run \`npm run build\``);
      await scope.register(fastifyStatic, {
        root: clientRoot,
        prefix: '/client/',
        decorateReply: false,
        wildcard: false,
        cacheControl: false,
        etag: true,
        lastModified: true,
        allowedPath: (path) => path.endsWith('.js'),
        setHeaders: (reply) => {
          void reply.headers({ ...dashboardHeaders(false), 'cache-control': 'no-cache' });
        },
      });

      // Browsers (and pages without the <link rel="icon">, such as /docs) still ask for /favicon.ico;
      // answer with the same mark instead of a problem+json 404 in every console.
      scope.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
        reply.headers({ ...dashboardHeaders(false), 'cache-control': 'public, max-age=86400' }).type('image/svg+xml').send(favicon),
      );

      scope.get('/portal', { schema: { hide: true, querystring: { type: 'object', properties: { token: { type: 'string', maxLength: 2048 } } } } }, async (request, reply) => {
        const { token } = request.query as { token?: string };
        void reply.headers({ ...dashboardHeaders(true), 'cache-control': 'no-store' }).type('text/html; charset=utf-8');
        // Without a token: the page after its link was exchanged (the token leaves the address bar)
        // and reloaded; it goes on with the session it keeps, or says it has none.
        if (token === undefined) return reply.send(indexHtml);
        const verdict = token ? verifyPortalToken(token, portalKey, ctx.now()) : null;
        if (!verdict || !verdict.ok) {
          const why = !verdict ? 'The link has no token.' : verdict.reason === 'expired' ? 'This link has expired.' : 'This link was not issued by this server.';
          return reply.code(401).send(portalErrorPage(why));
        }
        return reply.send(indexHtml);
      });
    });
  };
}
