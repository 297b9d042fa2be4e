// ConsumerManager.resync() sees the sources as they are when it is called, even while a sync that
// read them earlier is still running (the periodic one, or one whose broker connect is slow): it
// waits for one more sync after that one. Real SQLite store, real Mosquitto (127.0.0.1:1883); the
// store is wrapped only to hold the in-flight sync's read until the source has changed.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeSource } from '../src/store/conformance/fixtures.js';
import { createConsumerManager } from '../src/inbound/consumers/consumer-manager.js';
import { createSsrfPolicy } from '../src/delivery/ssrf-policy.js';
import { createPublisher } from '../src/delivery/publisher.js';
import { EventBus } from '../src/core/event-bus.js';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'hookd-consumer-resync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a resync called while an older sync is in flight stops a consumer whose consume member was removed', async () => {
  const store = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  await store.migrate();
  const source = makeSource({ consume: { url: `mqtt://127.0.0.1:1883/hookd-resync-${randomBytes(4).toString('hex')}/%23?client=hookd-resync-${randomBytes(4).toString("hex")}&expiry=60` } });
  await store.insertSource(source);

  // listSources reads the store, then (while `hold` is set) waits before answering.
  let hold: Promise<void> | null = null;
  let entered: () => void = () => undefined;
  const reading = new Promise<void>((r) => (entered = r));
  const gated = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'listSources') {
        return async (...args: Parameters<Store['listSources']>) => {
          const page = await target.listSources(...args);
          if (hold) {
            entered();
            await hold;
          }
          return page;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

  const bus = new EventBus();
  const publisher = createPublisher({ store: gated, checker: createSchemaChecker(), bus, requireEventTypes: false, now: Date.now });
  const logs: string[] = [];
  const manager = createConsumerManager({
    store: gated,
    publisher,
    now: Date.now,
    policy: createSsrfPolicy({ allowPrivate: ['127.0.0.1/32'] }),
    logger: { info: (_o, m) => logs.push(m), warn: (o, m) => logs.push(`${m} ${JSON.stringify(o)}`) },
    refreshMs: 3_600_000,
  });
  try {
    await manager.start();
    expect(manager.running(), logs.join('; ')).toEqual([source.id]);

    let release: () => void = () => undefined;
    hold = new Promise<void>((r) => (release = r));
    const older = manager.resync(); // reads the source with its consume member, then waits
    await reading;
    await store.updateSource(source.id, undefined, { consume: null, updatedAt: source.updatedAt + 1 });
    const mine = manager.resync();
    hold = null;
    release();
    await older;
    await mine;
    expect(manager.running()).toEqual([]);
  } finally {
    await manager.stop();
    await store.close();
  }
}, 20_000);
