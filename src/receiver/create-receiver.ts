// createReceiver: verify a hookd (Standard Webhooks) delivery, parse it, and flag redeliveries.
//
//   const receiver = createReceiver({ secrets: process.env.WEBHOOK_SECRET });
//   const event = await receiver.verify(rawBody, req.headers);   // throws WebhookVerificationError
//
// ed25519 (v1a) senders: pass `publicKeys: 'whpk_...'`, or `keySetUrl` to follow the sender's key
// set through rotations. Any configured scheme that verifies accepts the request.

import type { HeaderInput } from '../signature/headers.js';
import { decodeSecret } from '../signature/standard-webhooks-secret.js';
import { verifyStandardWebhook } from '../signature/standard-webhooks.js';
import { bodyBytes, type RawBody } from '../signature/body.js';
import { decodePublicKey } from '../signature/ed25519-keys.js';
import { createKeySetVerifier, type KeySetVerifier } from '../signature/key-set-verifier.js';
import { verifyStandardWebhookV1a } from '../signature/standard-webhooks-v1a.js';
import type { VerifyFailure } from '../signature/verify-result.js';
import { createMemoryDedupeStore, type DedupeStore } from './dedupe-store.js';
import { WebhookVerificationError } from './errors.js';
import { parsePayload } from './parse-payload.js';

export interface ReceiverOptions {
  /**
   * The endpoint's signing secret(s), `whsec_...`. Several (an array, or one string separated by
   * spaces or commas, handy in an env var) are all accepted: keep the old one during a rotation.
   * `undefined` is allowed by the type so `process.env.X` can be passed directly, and then throws.
   */
  secrets?: string | readonly string[] | undefined;
  /** ed25519 public key(s) `whpk_...` of a v1a sender (same list rules as `secrets`). */
  publicKeys?: string | readonly string[] | undefined;
  /** The sender's JWK Set URL (hookd: /.well-known/webhooks/jwks.json?tenant=...); keys are fetched and cached. */
  keySetUrl?: string | undefined;
  /** A key-set verifier built by the caller (custom fetch, shared cache); wins over keySetUrl. */
  keySet?: KeySetVerifier | undefined;
  /** Accepted clock difference, both directions. Default 300 s. */
  toleranceSeconds?: number;
  /** Where seen webhook ids are remembered. Default: an in-memory store (24 h, 100 000 ids); false disables. */
  dedupe?: DedupeStore | false;
  /** Clock in ms (Date.now() convention), for tests. */
  now?: () => number;
}

export interface VerifiedWebhook {
  /** `webhook-id`: the same on every retry and manual redelivery of one event to one endpoint. */
  id: string;
  /** `webhook-timestamp`, unix seconds of this attempt. */
  timestamp: number;
  /** Event type from the envelope; undefined for raw-format bodies. */
  type: string | undefined;
  /** The envelope's data (or the whole body for raw-format endpoints). */
  data: unknown;
  /** The parsed body. */
  payload: unknown;
  /** The exact bytes received, for forwarding or storage without re-serialising. */
  rawBody: Buffer;
  /** True when this id was already seen: acknowledge it, do not process it again. */
  duplicate: boolean;
}

export interface WebhookReceiver {
  /** Verifies, parses and dedupes. Throws WebhookVerificationError (with `code` and `status`) on failure. */
  verify(rawBody: RawBody, headers: HeaderInput): Promise<VerifiedWebhook>;
  /** Forget a processed id, so its redelivery is processed again (call when your handling failed). */
  release(id: string): Promise<void>;
}

function listFrom(values: string | readonly string[] | undefined): string[] {
  const list = typeof values === 'string' ? values.split(/[\s,]+/) : [...(values ?? [])];
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

/** A genuine-but-late message says more than "no v1 signature" from a scheme the sender does not use. */
function mostTelling(failures: VerifyFailure[]): VerifyFailure {
  return failures.find((f) => f.code === 'timestamp_out_of_tolerance') ?? failures.find((f) => !/^No v1a? signature in/.test(f.message)) ?? failures[0]!;
}

export function createReceiver(options: ReceiverOptions): WebhookReceiver {
  const secrets = listFrom(options.secrets);
  const publicKeys = listFrom(options.publicKeys);
  const keySet = options.keySet ?? (options.keySetUrl ? createKeySetVerifier({ url: options.keySetUrl }) : null);
  if (secrets.length === 0 && publicKeys.length === 0 && keySet === null) {
    // Never fall back to "accept unsigned": a missing env var must stop the app at start-up.
    throw new TypeError('createReceiver: no webhook secret, public key or key set URL given (is the environment variable set?)');
  }
  for (const secret of secrets) decodeSecret(secret); // fail at start-up, not on the first request
  for (const key of publicKeys) decodePublicKey(key);
  const dedupe = options.dedupe === false ? null : (options.dedupe ?? createMemoryDedupeStore({ now: options.now }));
  const now = options.now ?? (() => Date.now());
  const toleranceSeconds = options.toleranceSeconds;

  return {
    async verify(rawBody, headers) {
      const bytes = bodyBytes(rawBody);
      // A view, not a copy: bodies can be up to the size cap and are kept on the result.
      const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const at = now();
      const window = toleranceSeconds === undefined ? {} : { toleranceSeconds };
      const failures: VerifyFailure[] = [];
      let result: { ok: true; id: string; timestamp: number } | null = null;
      if (secrets.length > 0) {
        const r = verifyStandardWebhook({ body, headers, secrets, now: at, ...window });
        if (r.ok) result = r;
        else failures.push(r);
      }
      if (result === null && publicKeys.length > 0) {
        const r = verifyStandardWebhookV1a({ body, headers, publicKeys, now: at, ...window });
        if (r.ok) result = r;
        else failures.push(r);
      }
      if (result === null && keySet !== null) {
        const r = await keySet.verify({ body, headers, now: at, ...window });
        if (r.ok) result = r;
        else failures.push(r);
      }
      if (result === null) {
        const failure = mostTelling(failures);
        throw new WebhookVerificationError(failure.code, failure.message);
      }
      const parsed = parsePayload(body);
      // Dedupe last: only authentic, well-formed deliveries may claim an id, so a forger cannot
      // burn ids to make the real delivery look like a duplicate.
      const duplicate = dedupe === null ? false : await dedupe.seen(result.id);
      return { id: result.id, timestamp: result.timestamp, ...parsed, rawBody: body, duplicate };
    },
    async release(id) {
      await dedupe?.forget?.(id);
    },
  };
}
