// Turns an API `verify` object into a stored VerifyConfig (defaults filled, secrets generated where
// hookd may choose them) and checks what the JSON schema cannot: that the config can verify at all.
//
// Decisions:
// - Secrets are generated when omitted for schemes where the receiver chooses the secret:
//   standard-webhooks (`whsec_` + 24 random bytes, as svix), github and hmac (32 random bytes, hex).
//   Stripe and Shopify issue their own secrets, so those are required.
// - The full `verify` (with the secret) is returned once: in the 201 of the create, and in the answer
//   of a PATCH that replaces `verify`. Afterwards it reads back redacted; a lost secret is replaced by
//   PATCHing `verify`, as with API keys. There is no reveal route: for providers the secret already
//   lives on their side, and one less way to read it is one less way to leak it.

import { validateOrderingKeyRule } from './ordering-key-rule.js';
import { randomBytes } from 'node:crypto';
import { HookdError, type FieldError } from '../core/errors.js';
import type { EventTypeRule, VerifyConfig } from '../core/inbound-types.js';
import { decodePublicKey, decodeSecret, generateSecret } from '../signature/index.js';
import { parseCidr } from './client-ip.js';
import { validateEventTypeRule } from './event-type-rule.js';
import { verifyRequest } from './verify-request.js';

/** The `verify` member as the API schema admits it (optional secrets and defaults not yet applied). */
export type VerifyInput =
  | { scheme: 'standard-webhooks'; secret?: string; publicKeys?: string[]; toleranceSeconds?: number }
  | { scheme: 'stripe'; secret: string; toleranceSeconds?: number }
  | { scheme: 'github'; secret?: string }
  | { scheme: 'shopify'; secret: string }
  | { scheme: 'hmac'; secret?: string; header: string; algorithm?: 'sha256' | 'sha512'; encoding?: 'hex' | 'base64'; prefix?: string }
  | { scheme: 'api-key'; header: string; value: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'none' };

const randomHex = (): string => randomBytes(32).toString('hex');

function withDefaults(input: VerifyInput): VerifyConfig {
  switch (input.scheme) {
    case 'standard-webhooks':
      return {
        scheme: input.scheme,
        secret: input.secret ?? generateSecret(),
        ...(input.publicKeys !== undefined ? { publicKeys: input.publicKeys } : {}),
        ...(input.toleranceSeconds !== undefined ? { toleranceSeconds: input.toleranceSeconds } : {}),
      };
    case 'github':
      return { scheme: input.scheme, secret: input.secret ?? randomHex() };
    case 'hmac':
      return {
        scheme: input.scheme,
        secret: input.secret ?? randomHex(),
        header: input.header.toLowerCase(),
        algorithm: input.algorithm ?? 'sha256',
        encoding: input.encoding ?? 'hex',
        ...(input.prefix !== undefined ? { prefix: input.prefix } : {}),
      };
    case 'api-key':
      return { ...input, header: input.header.toLowerCase() };
    default:
      return input;
  }
}

/** A usable VerifyConfig, or HookdError validation_failed naming the field. */
export function buildVerifyConfig(input: VerifyInput, path = '/body/verify'): VerifyConfig {
  const config = withDefaults(input);
  if (config.scheme === 'standard-webhooks') {
    try {
      const key = decodeSecret(config.secret);
      if (key.length < 16) throw new Error('too short');
    } catch {
      throw new HookdError('validation_failed', 'The secret must be whsec_ followed by base64 of at least 16 bytes (as svix and Standard Webhooks senders issue it).', {
        errors: [{ path: `${path}/secret`, message: 'must be whsec_ + base64 of at least 16 bytes' }],
      });
    }
    for (const [i, key] of (config.publicKeys ?? []).entries()) {
      try {
        decodePublicKey(key);
      } catch {
        throw new HookdError('validation_failed', 'Each public key must be whpk_ followed by base64 of a 32-byte ed25519 public key.', { errors: [{ path: `${path}/publicKeys/${i}`, message: 'must be whpk_ + base64 of 32 bytes' }] });
      }
    }
  }
  // Dry run: the signature functions throw only for configuration mistakes (a bad algorithm, an
  // empty secret), so a config that survives an empty request cannot throw on a real one.
  try {
    verifyRequest(config, { body: Buffer.alloc(0), headers: {}, now: Date.now() });
  } catch (err) {
    throw new HookdError('validation_failed', `The verify configuration is unusable: ${err instanceof Error ? err.message : String(err)}`, { errors: [{ path, message: 'is unusable' }] });
  }
  return config;
}

/** Each entry parsed as a CIDR range or a single address; returns them trimmed. */
export function checkAllowIps(list: readonly string[] | null | undefined, path = '/body/allowIps'): string[] | null {
  if (list === null || list === undefined) return null;
  const errors: FieldError[] = [];
  list.forEach((entry, index) => {
    if (parseCidr(entry) === null) errors.push({ path: `${path}/${index}`, message: 'must be an IP address or CIDR range (e.g. 192.0.2.0/24)' });
  });
  if (errors.length > 0) throw new HookdError('validation_failed', `allowIps has ${errors.length} invalid entr${errors.length === 1 ? 'y' : 'ies'}.`, { errors });
  return list.map((entry) => entry.trim());
}

export function checkEventTypeRule(rule: EventTypeRule | null | undefined, path = '/body/eventType'): EventTypeRule | null {
  if (rule === null || rule === undefined) return null;
  const errors = validateEventTypeRule(rule, path);
  if (errors.length > 0) throw new HookdError('validation_failed', `eventType is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  return rule;
}

export function checkOrderingKeyRule(rule: EventTypeRule | null | undefined, path = '/body/orderingKey'): EventTypeRule | null {
  if (rule === null || rule === undefined) return null;
  const errors = validateOrderingKeyRule(rule, path);
  if (errors.length > 0) throw new HookdError('validation_failed', `orderingKey is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  return rule;
}
