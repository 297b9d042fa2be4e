// Secrets go through the adapter's SecretBox on the way in and out. Whether they are unreadable at
// rest is adapter-specific (each adapter's own test scans its storage); here every credential shape
// must come back exactly, including through the claim path the dispatcher uses.

import { describe, expect, it } from 'vitest';
import type { VerifyConfig } from '../../core/inbound-types.js';
import type { EndpointAuth } from '../../core/types.js';
import { addEndpoint, claimOne, makeSource, publish, T0, useStore, type StoreFactory } from './fixtures.js';

const AUTHS: EndpointAuth[] = [
  { type: 'none' },
  { type: 'basic', username: 'crm', password: 'p@ss:wörd' },
  { type: 'bearer', token: 'eyJhbGciOi.payload.sig' },
  { type: 'header', name: 'x-api-key', value: 'k_live_123' },
  { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'id', clientSecret: 'cs', scope: 'hooks', audience: 'crm' },
  { type: 'mtls', cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' },
];

const VERIFIES: VerifyConfig[] = [
  { scheme: 'standard-webhooks', secret: 'whsec_c3RhbmRhcmQ=', toleranceSeconds: 300 },
  { scheme: 'stripe', secret: 'whsec_stripe' },
  { scheme: 'github', secret: 'gh' },
  { scheme: 'shopify', secret: 'shp' },
  { scheme: 'hmac', secret: 'h', header: 'x-signature', algorithm: 'sha256', encoding: 'hex' },
  { scheme: 'api-key', header: 'x-api-key', value: 'v' },
  { scheme: 'bearer', token: 't' },
  { scheme: 'basic', username: 'u', password: 'p' },
  { scheme: 'none' },
];

export function secretsSuite(factory: StoreFactory): void {
  describe('secrets', () => {
    const store = useStore(factory);

    it('round-trips every endpoint auth type and the secret list', async () => {
      for (const auth of AUTHS) {
        const endpoint = await addEndpoint(store(), {
          auth,
          secrets: [
            { secret: 'whsec_Y3VycmVudGN1cnJlbnRjdXJyZW50', expiresAt: null },
            { secret: 'whsec_b2xkb2xkb2xkb2xkb2xkb2xkb2xk', expiresAt: T0 + 1 },
          ],
        });
        const read = await store().getEndpoint(endpoint.id, undefined);
        expect(read?.auth).toEqual(auth);
        expect(read?.secrets).toEqual(endpoint.secrets);
      }
    });

    it('round-trips every source verification scheme', async () => {
      for (const verify of VERIFIES) {
        const source = makeSource({ verify });
        await store().insertSource(source);
        expect((await store().getSource(source.id, undefined))?.verify).toEqual(verify);
      }
    });

    it('hands claims the decrypted endpoint credentials', async () => {
      const endpoint = await addEndpoint(store(), { auth: AUTHS[4]! });
      await publish(store());
      const claim = await claimOne(store(), T0);
      expect(claim.endpoint.auth).toEqual(endpoint.auth);
      expect(claim.endpoint.secrets).toEqual(endpoint.secrets);
    });
  });
}
