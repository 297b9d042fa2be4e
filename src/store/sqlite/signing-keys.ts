// Tenant signing keys (core/signing-keys.ts). The private key is sealed here and nowhere else.

import type { SigningKey } from '../../core/signing-keys.js';
import type { SigningKeyRetirement, TenantFilter } from '../store.js';
import type { SqliteContext } from './context.js';

interface SigningKeyRow {
  id: string;
  tenant: string | null;
  generation: number;
  secret_key_sealed: string;
  public_key: string;
  created_at: number;
  signs_from: number;
  retires_at: number | null;
}

const LIST_ALL = 'SELECT * FROM signing_keys ORDER BY scope, generation DESC LIMIT 1000';
// By scope, not `tenant IS ?`: the public key set reads this for any tenant name a caller makes up,
// so it must stay one index range (signing_keys_generation), never a scan.
const LIST_SCOPE = 'SELECT * FROM signing_keys WHERE scope = @scope ORDER BY generation DESC LIMIT 1000';
const INSERT = `INSERT INTO signing_keys (id, tenant, scope, generation, secret_key_sealed, public_key, created_at, signs_from, retires_at)
  VALUES (@id, @tenant, @scope, @generation, @secret_key_sealed, @public_key, @created_at, @signs_from, @retires_at)
  ON CONFLICT (scope, generation) DO NOTHING`;
const RETIRE = `UPDATE signing_keys SET retires_at = @retires_at WHERE id = @id AND scope = @scope
  AND (retires_at IS NULL OR retires_at > @retires_at)`;
const FORGET = 'DELETE FROM signing_keys WHERE scope = @scope AND retires_at IS NOT NULL AND retires_at <= @before';

export const scopeOf = (tenant: string | null): string => tenant ?? '';

function fromRow(r: SigningKeyRow, ctx: SqliteContext): SigningKey {
  return {
    id: r.id,
    tenant: r.tenant,
    generation: r.generation,
    secretKey: ctx.box.open(r.secret_key_sealed),
    publicKey: r.public_key,
    createdAt: r.created_at,
    signsFrom: r.signs_from,
    retiresAt: r.retires_at,
  };
}

export function listSigningKeys(ctx: SqliteContext, tenant: TenantFilter): SigningKey[] {
  const rows = tenant === undefined ? ctx.stmt(LIST_ALL).all() : ctx.stmt(LIST_SCOPE).all({ scope: scopeOf(tenant) });
  return (rows as SigningKeyRow[]).map((r) => fromRow(r, ctx));
}

export function insertSigningKey(ctx: SqliteContext, key: SigningKey, retire: readonly SigningKeyRetirement[]): boolean {
  const run = ctx.db.transaction((): boolean => {
    const scope = scopeOf(key.tenant);
    const inserted = ctx.stmt(INSERT).run({
      id: key.id,
      tenant: key.tenant,
      scope,
      generation: key.generation,
      secret_key_sealed: ctx.box.seal(key.secretKey),
      public_key: key.publicKey,
      created_at: key.createdAt,
      signs_from: key.signsFrom,
      retires_at: key.retiresAt,
    });
    if (inserted.changes === 0) return false;
    for (const r of retire) ctx.stmt(RETIRE).run({ id: r.id, scope, retires_at: r.retiresAt });
    // Retired keys never sign again: drop their (sealed) private keys instead of keeping them forever.
    ctx.stmt(FORGET).run({ scope, before: key.createdAt });
    return true;
  });
  return run.immediate();
}
