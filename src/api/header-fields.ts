// Request fields that become headers on the webhooks hookd sends: custom `headers` and `auth`. The
// rule itself is in core/header-rules.ts; this turns a breach into a 400 naming the field.

import { headerValueProblem, reservedHeaderProblem } from '../core/header-rules.js';
import { HookdError } from '../core/errors.js';
import type { EndpointAuth } from '../core/types.js';

function refuse(path: string, message: string): never {
  throw new HookdError('validation_failed', `${path.replace(/^\/body\//, '')} ${message}.`, { errors: [{ path, message }] });
}

/** Custom headers, lower-cased; refuses hookd's own names and values HTTP cannot carry. */
export function checkCustomHeaders(headers: Record<string, string> | undefined, path = '/body/headers'): Record<string, string> | undefined {
  if (!headers) return headers;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const reserved = reservedHeaderProblem(name, 'headers');
    if (reserved) refuse(`${path}/${name}`, `is reserved: ${reserved}`);
    const bad = headerValueProblem(value);
    if (bad) refuse(`${path}/${name}`, bad);
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** The auth fields sent verbatim in a header (basic is base64-encoded, so any text is fine there). */
export function checkAuthHeaders(auth: EndpointAuth | undefined, path = '/body/auth'): void {
  if (!auth) return;
  if (auth.type === 'header') {
    const reserved = reservedHeaderProblem(auth.name, 'auth');
    if (reserved) refuse(`${path}/name`, `is reserved: ${reserved}`);
    const bad = headerValueProblem(auth.value);
    if (bad) refuse(`${path}/value`, bad);
  } else if (auth.type === 'bearer') {
    const bad = headerValueProblem(auth.token);
    if (bad) refuse(`${path}/token`, bad);
  }
}
