// The tenants' ed25519 signing keys: the public key set (no API key: receivers fetch it) and the
// admin view and manual rotation under /v1.

import type { FastifyInstance } from 'fastify';
import { keyState, type SigningKey } from '../../core/signing-keys.js';
import { HookdError } from '../../core/errors.js';
import { publicKeyToJwk } from '../../signature/ed25519-keys.js';
import type { ApiContext } from '../context.js';
import { principalOf, tenantFilter, tenantForWrite } from '../auth.js';
import { iso } from '../render.js';
import { tenantSchema } from '../schemas/common.js';
import { JwksModel, RotatedKeysModel, SigningKeyListModel } from '../../wire/index.js';
import { responses } from '../responses.js';

export const KEY_SET_PATH = '/.well-known/webhooks/jwks.json';
const tenantQuery = { type: 'object', additionalProperties: false, properties: { tenant: { ...tenantSchema, type: 'string' } } } as const;

function renderKey(k: SigningKey, now: number): Record<string, unknown> {
  return {
    id: k.id,
    tenant: k.tenant,
    generation: k.generation,
    state: keyState(k, now),
    publicKey: k.publicKey,
    createdAt: iso(k.createdAt),
    signsFrom: iso(k.signsFrom),
    retiresAt: iso(k.retiresAt),
    ageSeconds: Math.max(0, Math.floor((now - k.createdAt) / 1000)),
  };
}

function groupByTenant(ctx: ApiContext, keys: SigningKey[], now: number): Array<Record<string, unknown>> {
  const groups = new Map<string, SigningKey[]>();
  for (const k of keys) groups.set(k.tenant ?? '', [...(groups.get(k.tenant ?? '') ?? []), k]);
  return [...groups.values()].map((list) => ({
    tenant: list[0]!.tenant,
    keySetUrl: keySetUrlOf(list[0]!.tenant),
    nextRotationAt: iso(ctx.signingKeys.nextRotationAt(list)),
    keys: list.sort((a, b) => b.generation - a.generation).map((k) => renderKey(k, now)),
  }));
}

function keySetUrlOf(tenant: string | null): string {
  return tenant === null ? KEY_SET_PATH : `${KEY_SET_PATH}?tenant=${encodeURIComponent(tenant)}`;
}

export function registerSigningKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    KEY_SET_PATH,
    {
      schema: {
        response: responses({ 200: JwksModel }),
        tags: ['signing keys'],
        summary: "A tenant's public ed25519 keys as a JWK Set (current and next; no tenant: events without a tenant). Public, cacheable.",
        querystring: tenantQuery,
        security: [],
      },
    },
    async (request, reply) => {
      const { tenant } = request.query as { tenant?: string };
      const keys = await ctx.signingKeys.published(tenant ?? null);
      // Public and identical for every caller: shared caches may keep it as long as receivers do.
      // Unknown tenants get an empty set, not a 404, so the answer says nothing a request with a
      // wrong key id would not.
      void reply
        .header('cache-control', `public, max-age=${ctx.config.keySetMaxAgeSeconds}`)
        .header('access-control-allow-origin', '*')
        .type('application/jwk-set+json');
      return { keys: keys.map((k) => publicKeyToJwk(k.publicKey, k.id)) };
    },
  );

  app.get(
    '/v1/signing-keys',
    { schema: { response: responses({ 200: SigningKeyListModel }), tags: ['signing keys'], summary: 'Signing keys by tenant: state, age and the next rotation (a tenant key sees its own)', querystring: tenantQuery } },
    async (request) => {
      const principal = principalOf(request);
      const { tenant } = request.query as { tenant?: string };
      const scope = tenant === undefined ? tenantFilter(principal) : tenantForWrite(principal, tenant, '/query/tenant');
      const now = ctx.now();
      const keys = await ctx.signingKeys.list(scope);
      const policy = ctx.signingKeys.policy;
      return {
        data: groupByTenant(ctx, keys, now),
        policy: { overlapSeconds: policy.overlapMs / 1000, publishLeadSeconds: policy.publishLeadMs / 1000, rotationDays: policy.intervalMs / 86_400_000 },
      };
    },
  );

  app.post(
    '/v1/signing-keys/rotate',
    {
      schema: {
        response: responses({ 200: RotatedKeysModel }),
        tags: ['signing keys'],
        summary: "Rotate a tenant's signing key now: the new key is published at once, signs after the publish lead, and the old one retires after the overlap",
        body: { type: ['object', 'null'], additionalProperties: false, properties: { tenant: tenantSchema } },
      },
    },
    async (request) => {
      const body = (request.body ?? {}) as { tenant?: string | null };
      const tenant = tenantForWrite(principalOf(request), body.tenant);
      const { rotated, keys } = await ctx.signingKeys.rotate(tenant);
      if (!rotated) throw new HookdError('signing_key_rotation_pending', 'A rotation is already under way: its new key does not sign yet.');
      return groupByTenant(ctx, keys, ctx.now())[0] ?? { tenant, keys: [] };
    },
  );
}
