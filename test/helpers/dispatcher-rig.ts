// A dispatcher wired the way the runtime wires it (publisher, event bus, wake on work.available),
// over a store and a sender the test scripts: the set-up the dispatcher tests share.

import { pino } from 'pino';
import { EventBus } from '../../src/core/event-bus.js';
import { createSchemaChecker } from '../../src/core/payload-check.js';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { createPublisher, type Publisher } from '../../src/delivery/publisher.js';
import type { AuthProvider, Sender, SendResult } from '../../src/delivery/sender-types.js';
import type { Store } from '../../src/store/store.js';

export const noAuth: AuthProvider = { headersFor: async () => ({}), forget: () => undefined };

/** What a scripted sender answers: `status`, no body, 1 ms. */
export const answer = (status: number): SendResult => ({ status, headers: {}, body: '', bodyTruncated: false, durationMs: 1, errorCode: null, errorMessage: null, remoteAddress: null, requestHeaders: {} });

export interface DispatcherRig {
  bus: EventBus;
  publisher: Publisher;
  dispatcher: Dispatcher;
}

/**
 * Create and start a dispatcher on `store` and `sender`: concurrency and claim batch 8, a long lease
 * grace, silent logs; `options` overrides any of them.
 */
export function startDispatcher(store: Store, sender: Sender, options: Partial<DispatcherOptions> & { owner: string; pollIntervalMs: number }): DispatcherRig {
  const bus = new EventBus();
  const publisher = createPublisher({ store, checker: createSchemaChecker(), bus, requireEventTypes: false, now: Date.now });
  const dispatcher = createDispatcher({
    store,
    sender,
    auth: noAuth,
    publisher,
    bus,
    logger: pino({ level: 'silent' }),
    userAgent: 'hookd/test',
    concurrency: 8,
    claimBatch: 8,
    leaseGraceMs: 60_000,
    connectTimeoutMs: 1_000,
    failingPeriodMs: 86_400_000,
    ...options,
  });
  bus.on('work.available', () => dispatcher.wake());
  dispatcher.start();
  return { bus, publisher, dispatcher };
}
