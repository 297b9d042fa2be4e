// What a tenant-portal link may do. A link carries a set of these in its signed token; the API checks
// them route by route (src/api/portal-route-table.ts) and the portal page hides what is not granted.

export const PORTAL_CAPABILITIES = ['view', 'view_secret', 'manage_secret', 'manage_endpoints', 'replay', 'manage_transforms'] as const;

export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

export function isPortalCapability(value: unknown): value is PortalCapability {
  return typeof value === 'string' && (PORTAL_CAPABILITIES as readonly string[]).includes(value);
}

/**
 * The capabilities a link grants, from what its creator asked for. `readOnly` (the older flag) is
 * exactly `['view']`; neither given means everything (what a portal link could do before capabilities
 * existed). `view` is always included: the portal cannot show a page without reading.
 */
export function grantedCapabilities(readOnly: boolean | undefined, requested: readonly PortalCapability[] | undefined): PortalCapability[] {
  if (requested === undefined) return readOnly ? ['view'] : [...PORTAL_CAPABILITIES];
  const set = new Set<PortalCapability>(['view', ...requested]);
  return PORTAL_CAPABILITIES.filter((c) => set.has(c));
}
