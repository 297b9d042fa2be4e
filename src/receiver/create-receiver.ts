// createReceiver: verify a hookd (Standard Webhooks) delivery, parse it, and flag redeliveries.
//
//   const receiver = createReceiver({ secrets: process.env.WEBHOOK_SECRET });
//   const event = await receiver.verify(rawBody, req.headers);   // throws WebhookVerificationError

import type { HeaderInput } from '../signature/headers.js';
import { decodeSecret } from '../signature/standard-webhooks-secret.js';
import { verifyStandardWebhook } from '../signature/standard-webhooks.js';
import { bodyBytes, type RawBody } from '../signature/body.js';
import { createMemoryDedupeStore, type DedupeStore } from './dedupe-store.js';
import { WebhookVerificationError } from './errors.js';
import { parsePayload } from './parse-payload.js';

export interface ReceiverOptions {
  /**
   * The endpoint's signing secret(s), `whsec_...`. Several (an array, or one string separated by
   * spaces or commas, handy in an env var) are all accepted: keep the old one during a rotation.
   * `undefined` is allowed by the type so `process.env.X` can be passed directly, and then throws.
   */
  secrets: string | readonly string[] | undefined;
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

function secretListFrom(secrets: ReceiverOptions['secrets']): string[] {
  const list = typeof secrets === 'string' ? secrets.split(/[\s,]+/) : [...(secrets ?? [])];
  const cleaned = list.map((s) => s.trim()).filter((s) => s !== '');
  if (cleaned.length === 0) {
    // Never fall back to "accept unsigned": a missing env var must stop the app at start-up.
    throw new TypeError('createReceiver: no webhook secret given (is the secret environment variable set?)');
  }
  return cleaned;
}

export function createReceiver(options: ReceiverOptions): WebhookReceiver {
  const secrets = secretListFrom(options.secrets);
  for (const secret of secrets) decodeSecret(secret); // fail at start-up, not on the first request
  const dedupe = options.dedupe === false ? null : (options.dedupe ?? createMemoryDedupeStore({ now: options.now }));
  const now = options.now ?? (() => Date.now());
  const toleranceSeconds = options.toleranceSeconds;

  return {
    async verify(rawBody, headers) {
      const bytes = bodyBytes(rawBody);
      // A view, not a copy: bodies can be up to the size cap and are kept on the result.
      const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const result = verifyStandardWebhook({
        body,
        headers,
        secrets,
        now: now(),
        ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
      });
      if (!result.ok) throw new WebhookVerificationError(result.code, result.message);
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
