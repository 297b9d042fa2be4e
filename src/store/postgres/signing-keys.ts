// Tenant signing keys (core/signing-keys.ts). The private key is sealed here and nowhere else.

import type { SigningKey } from '../../core/signing-keys.js';
import type { SigningKeyRetirement, TenantFilter } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';

const COLUMNS = 'id, tenant, generation, secret_key_sealed, public_key, created_at, signs_from, retires_at';

export async function listSigningKeys(ctx: PgContext, tenant: TenantFilter): Promise<SigningKey[]> {
  // By scope, not tenant: the public key set reads this for any made-up tenant name, so it must stay
  // one range of the (scope, generation) index.
  const { rows } =
    tenant === undefined
      ? await query(ctx.pool, `SELECT ${COLUMNS} FROM signing_keys ORDER BY scope, generation DESC LIMIT 1000`)
      : await query(ctx.pool, `SELECT ${COLUMNS} FROM signing_keys WHERE scope = $1 ORDER BY generation DESC LIMIT 1000`, [tenant ?? '']);
  return rows.map((r) => ({
    id: r.id,
    tenant: r.tenant,
    generation: r.generation,
    secretKey: ctx.box.open(r.secret_key_sealed),
    publicKey: r.public_key,
    createdAt: Number(r.created_at),
    signsFrom: Number(r.signs_from),
    retiresAt: r.retires_at === null ? null : Number(r.retires_at),
  }));
}

export async function insertSigningKey(ctx: PgContext, key: SigningKey, retire: readonly SigningKeyRetirement[]): Promise<boolean> {
  const scope = key.tenant ?? '';
  return withTransaction(ctx.pool, async (client) => {
    // ON CONFLICT rather than catching the unique violation: an error would abort the transaction.
    const inserted = await query(
      client,
      `INSERT INTO signing_keys (${COLUMNS}, scope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, generation) DO NOTHING RETURNING id`,
      [key.id, key.tenant, key.generation, ctx.box.seal(key.secretKey), key.publicKey, key.createdAt, key.signsFrom, key.retiresAt, scope],
    );
    if (inserted.rows.length === 0) return false;
    for (const r of retire) {
      await query(client, 'UPDATE signing_keys SET retires_at = $3 WHERE id = $1 AND scope = $2 AND (retires_at IS NULL OR retires_at > $3)', [r.id, scope, r.retiresAt]);
    }
    // Retired keys never sign again: drop their (sealed) private keys instead of keeping them forever.
    await query(client, 'DELETE FROM signing_keys WHERE scope = $1 AND retires_at IS NOT NULL AND retires_at <= $2', [scope, key.createdAt]);
    return true;
  });
}
