// `?tenant=` on list routes: an admin narrows to one tenant, a tenant key may only name its own
// (naming another is refused, not silently ignored, so a wrong script fails loudly).

import { HookdError } from '../core/errors.js';
import { tenantFilter } from './auth.js';
import type { Principal } from '../core/types.js';
import type { TenantFilter } from '../store/store.js';

export function tenantFromQuery(principal: Principal, tenant: string | undefined): TenantFilter {
  if (tenant === undefined) return tenantFilter(principal);
  if (principal.role !== 'admin' && tenant !== principal.tenant) throw new HookdError('forbidden', 'A tenant API key can only read its own tenant.');
  return tenant;
}
