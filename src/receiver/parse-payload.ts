// JSON parsing of a verified body. It runs only after the signature check: parsing attacker input
// first wastes work and invites parser-differential tricks.

import { WebhookVerificationError } from './errors.js';

// fatal: invalid UTF-8 is an error, not silently replaced by U+FFFD (which would let two different
// byte strings parse to the same value). A leading BOM is stripped by the decoder.
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface ParsedPayload {
  payload: unknown;
  /** The envelope's `type`, or undefined for a raw (`payloadFormat: "raw"`) body. */
  type: string | undefined;
  /** The envelope's `data`, or the whole payload for a raw body. */
  data: unknown;
}

export function parsePayload(body: Uint8Array): ParsedPayload {
  let payload: unknown;
  try {
    // `__proto__` keys are dropped: JSON.parse makes them own properties, but a later
    // Object.assign({}, payload) by the application would then replace the target's prototype.
    payload = JSON.parse(decoder.decode(body), (key, value: unknown) => (key === '__proto__' ? undefined : value));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WebhookVerificationError('invalid_json', `The signed body is not valid JSON: ${detail}`, { cause: error });
  }
  // hookd's envelope is { type, timestamp, data }; with payloadFormat "raw" the body is the data.
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const envelope = payload as Record<string, unknown>;
    if (typeof envelope.type === 'string' && 'data' in envelope) {
      return { payload, type: envelope.type, data: envelope.data };
    }
  }
  return { payload, type: undefined, data: payload };
}
