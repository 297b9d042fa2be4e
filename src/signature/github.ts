// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the secret string.
// GitHub signs no timestamp, so replays can only be stopped by deduplicating on X-GitHub-Delivery
// for the whole retention window (the inbound pipeline does that, not this module).

import type { RawBody } from './body.js';
import type { HeaderInput } from './headers.js';
import { signHmac, verifyHmac } from './hmac.js';
import type { VerifyResult } from './verify-result.js';

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';
const SCHEME = { header: GITHUB_SIGNATURE_HEADER, algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' } as const;

/** The `X-Hub-Signature-256` value, `sha256=<hex>`. */
export function signGithub(input: { body: RawBody; secret: string }): string {
  return signHmac({ ...input, ...SCHEME });
}

export function verifyGithub(input: { body: RawBody; headers: HeaderInput; secret: string | readonly string[] }): VerifyResult {
  return verifyHmac({ ...input, ...SCHEME });
}
