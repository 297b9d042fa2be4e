// hookd/receiver: verify and receive hookd's (Standard Webhooks) deliveries in your own app.
//
//   const receiver = createReceiver({ secrets: process.env.WEBHOOK_SECRET });
//   http.createServer(nodeHandler(receiver, async (event) => { ... })).listen(3000);

export { createReceiver, type ReceiverOptions, type VerifiedWebhook, type WebhookReceiver } from './create-receiver.js';
export { createKeySetVerifier, type KeySetVerifier, type KeySetVerifierOptions } from '../signature/key-set-verifier.js';
export {
  createMemoryDedupeStore,
  DEFAULT_DEDUPE_MAX_ENTRIES,
  DEFAULT_DEDUPE_TTL_MS,
  type DedupeStore,
  type MemoryDedupeStore,
  type MemoryDedupeStoreOptions,
} from './dedupe-store.js';
export { WebhookVerificationError, type WebhookErrorCode } from './errors.js';
export type { HandlerOptions, RespondMode } from './handle-delivery.js';
export { DEFAULT_MAX_BODY_BYTES } from './read-body.js';
export { nodeHandler, type NodeWebhookHandler } from './node-handler.js';
export { expressHandler, RawBodyUnavailableError, type ExpressLikeRequest, type ExpressWebhookHandler } from './express-handler.js';
export { fastifyHandler, fastifyPlugin, type FastifyWebhookHandler, type FastifyWebhookOptions } from './fastify-plugin.js';
