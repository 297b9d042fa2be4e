// POST /v1/portal/session: a portal link is exchanged for a session. The link (Bearer
// portal_<link token>) is what a sender hands its customer; the session is what calls the API. A
// single-use link is exchanged once: its id goes into portal_link_uses in the store, whose primary
// key lets exactly one exchange win, in any process sharing the database, however many race. A
// reusable link (minted with singleUse: false, or before single-use links existed) may be exchanged
// any number of times, so the portal page can always exchange what it was given.
//
// The session carries the link's tenant, capabilities, theme, id and expiry: revoking the link
// (DELETE /v1/portal-links/{id}) refuses its sessions too, and a session never outlives its link.
// The authenticator has already refused an expired, revoked or forged link before this runs.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../api/context.js';
import { principalOf, PORTAL_SESSION_ROUTE } from '../api/auth.js';
import { recordStandaloneAudit } from '../api/audit-routes.js';
import { responses } from '../api/responses.js';
import { HookdError } from '../core/errors.js';
import { createPortalSession, type PortalClaims } from '../security/portal-token.js';
import { PortalSessionModel } from '../wire/index.js';

export function registerPortalSessionRoute(app: FastifyInstance, ctx: ApiContext, portalKey: Buffer, portalClaimsOf: (request: FastifyRequest) => PortalClaims | null): void {
  app.post(
    PORTAL_SESSION_ROUTE,
    {
      schema: {
        response: responses({ 201: PortalSessionModel }),
        tags: ['dashboard'],
        summary: 'Exchange a portal link (as the bearer) for a portal session; a single-use link only once',
      },
    },
    async (request, reply) => {
      principalOf(request);
      const link = portalClaimsOf(request);
      if (link === null) throw new HookdError('unauthorized', 'Exchange a portal link: send `Authorization: Bearer portal_<link token>`; an API key has no session to open.');
      if (link.kind === 'session') throw new HookdError('unauthorized', 'This is already a portal session, not a link; call the API with it.');
      if (link.kind === 'single_use_link') {
        // The verifier guarantees a single-use link has an id.
        const first = await ctx.store.usePortalLink(link.id!, ctx.now(), link.expiresAt);
        if (!first) throw new HookdError('unauthorized', 'This portal link has already been used; it opens one session only. Ask for a new link.');
      }
      // A reusable link's exchange changes no table: its audit record is written alone.
      await recordStandaloneAudit(ctx.store);
      const session = createPortalSession(link, portalKey);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          token: session.token,
          linkId: link.id,
          tenant: link.tenant,
          expiresAt: new Date(session.expiresAt).toISOString(),
          readOnly: link.readOnly,
          capabilities: link.capabilities,
          theme: link.theme,
        });
    },
  );
}
