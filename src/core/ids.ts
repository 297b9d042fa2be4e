// Prefixed, time-sortable ids: `evt_` + a UUIDv7 without dashes. Lexical order follows creation time
// (to the millisecond), which keeps primary-key indexes append-mostly.

import { uuidv7 } from 'uuidv7';

export const ID_PREFIXES = {
  event: 'evt',
  endpoint: 'ep',
  delivery: 'dlv',
  attempt: 'att',
  source: 'src',
  apiKey: 'key',
  inboundRequest: 'req',
  bulkRetry: 'bulk',
  signingKey: 'kid',
  audit: 'aud',
  portalLink: 'pl',
  alertChannel: 'ach',
  alertRule: 'arl',
  bin: 'bin',
  binRequest: 'brq',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${uuidv7().replaceAll('-', '')}`;
}

const ID_SHAPE = /^[a-z]{2,4}_[0-9a-f]{32}$/;

/** True when `value` looks like an id of this kind (cheap guard before touching the store). */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_SHAPE.test(value);
}
