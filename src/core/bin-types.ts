// Request bins: a capture URL (`/bin/{id}`) that stores every request it receives and answers with a
// configurable behaviour (the mock endpoint's, core/mock-behaviour.ts), so a bin can be an endpoint's
// URL while an integrator watches the payloads and the retries.

import type { MockBehaviour } from './mock-behaviour.js';

export interface Bin {
  /** `bin_` + 128 random bits: the id is the capability to post to the bin, so it is not guessable. */
  id: string;
  tenant: string | null;
  name: string;
  behaviour: MockBehaviour;
  /** Body of every answer (null: a short JSON acknowledgement). */
  responseBody: string | null;
  /** Standard Webhooks secret (`whsec_...`) the captured requests are checked against; sealed at rest. */
  secret: string | null;
  expiresAt: number;
  createdAt: number;
}

export interface BinRequest {
  id: string;
  binId: string;
  method: string;
  /** Path below the bin plus the query string: `/`, `/hooks/a?x=1`. */
  path: string;
  headers: Record<string, string>;
  /** The raw bytes as they came, up to the bin body cap. */
  body: Buffer;
  /** The body's real size in bytes (more than body.length when truncated). */
  size: number;
  truncated: boolean;
  remoteAddress: string | null;
  receivedAt: number;
}

/** The captured path: everything after `/bin/{id}`, always starting with `/`. */
export function binSubpath(url: string, binId: string): string {
  const prefix = `/bin/${binId}`;
  const rest = url.startsWith(prefix) ? url.slice(prefix.length) : url;
  if (rest === '') return '/';
  return rest.startsWith('/') ? rest : `/${rest}`;
}
