// In-process notifications: "an event was published", "an attempt was recorded". Feeds the
// long-polling pull feed, the SSE stream and the dispatcher's wake-up. Cross-process wake-ups come
// from the store (PostgreSQL LISTEN/NOTIFY) and are re-emitted here.

import { EventEmitter } from 'node:events';
import { outsideAuditScope } from './audit.js';

export interface BusMessages {
  'event.published': { id: string; type: string; tenant: string | null; seq: number; createdAt: number };
  'attempt.recorded': {
    id: string;
    deliveryId: string;
    endpointId: string;
    eventId: string;
    tenant: string | null;
    code: string;
    responseStatus: number | null;
    durationMs: number;
    status: string;
    createdAt: number;
  };
  'endpoint.state': { endpointId: string; tenant: string | null; enabled: boolean; disabledReason: string | null };
  /** The pull feed may have new events (this process published, or another process notified). */
  'feed.changed': Record<string, never>;
  /** Due work may exist (publish, requeue, recover). */
  'work.available': Record<string, never>;
}

export type BusTopic = keyof BusMessages;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every SSE client and long-poll waiter is a listener; the default cap of 10 would warn spuriously.
    this.emitter.setMaxListeners(0);
  }

  /**
   * Tell every listener. A listener that throws is reported to onListenerError and the others still
   * run: emit() is called by publishers and result writers, and one broken subscriber (a stream, a
   * waiter) must never fail their request.
   *
   * A message tells of a change already made, so what a listener starts (an alert's state written,
   * a notification sent) is never the emitting request's change: listeners run outside its audit
   * scope (core/audit.ts), or a write of theirs could take the request's record.
   */
  emit<T extends BusTopic>(topic: T, message: BusMessages[T]): void {
    outsideAuditScope(() => this.emitter.emit(topic, message));
  }

  on<T extends BusTopic>(topic: T, listener: (message: BusMessages[T]) => void): () => void {
    const guarded = (message: BusMessages[T]): void => {
      try {
        listener(message);
      } catch (err) {
        this.onListenerError(err, topic);
      }
    };
    this.emitter.on(topic, guarded);
    return () => this.emitter.off(topic, guarded);
  }

  /** Replaced by the composition root to log; the default keeps the error visible on stderr. */
  onListenerError: (err: unknown, topic: BusTopic) => void = (err, topic) => {
    process.emitWarning(`hookd: a listener of ${topic} failed: ${err instanceof Error ? err.message : String(err)}`);
  };
}
