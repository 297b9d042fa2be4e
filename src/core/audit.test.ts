// The audit scope is on only while something holds it (core/audit.ts explains why): overlapping
// holders each keep their own pending record across awaits, and the last one out switches it off.

import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.js';
import { holdAuditScope, openAuditScopes, outsideAuditScope, runAuditScope, runInAuditScope, setPendingAudit, takePendingAudit, type AuditRecord } from './audit.js';

const record = (id: string): AuditRecord => ({ id, at: 1, actorKind: 'admin_key', actorId: 'key_env_admin', actorName: null, tenant: null, requestId: null, action: 'endpoint.create', target: null, diff: {} });

describe('audit scope', () => {
  it('overlapping scopes keep their own records across awaits; the last one out turns the scope off', async () => {
    expect(openAuditScopes()).toBe(0);
    const short = runAuditScope(async () => {
      setPendingAudit(record('aud_short'));
      await sleep(5);
      return takePendingAudit()?.id;
    });
    const long = runAuditScope(async () => {
      setPendingAudit(record('aud_long'));
      await sleep(30);
      // The short scope ended (and released) while this one waited: its record is still here.
      expect(openAuditScopes()).toBe(1);
      await Promise.resolve();
      return takePendingAudit()?.id;
    });
    expect(openAuditScopes()).toBe(2);
    expect(await short).toBe('aud_short');
    expect(await long).toBe('aud_long');
    expect(openAuditScopes()).toBe(0);
    // Off: nothing can be set or taken outside a scope.
    setPendingAudit(record('aud_outside'));
    expect(takePendingAudit()).toBeNull();
  });

  it('a scope that throws or rejects still releases', async () => {
    await expect(runAuditScope(async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(() =>
      runAuditScope(() => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
    expect(openAuditScopes()).toBe(0);
  });

  it('a scope turned off comes back on for the next holder', async () => {
    await runAuditScope(async () => undefined);
    expect(openAuditScopes()).toBe(0);
    const id = await runAuditScope(async () => {
      setPendingAudit(record('aud_again'));
      await sleep(1);
      return takePendingAudit()?.id;
    });
    expect(id).toBe('aud_again');
  });

  it('the last release switches the scope off, even for work still running inside it', async () => {
    const release = holdAuditScope();
    // A continuation made inside the scope, still to run when the hold ends.
    // (Boxed: a promise resolved with a promise would wait for it.)
    const { later } = await new Promise<{ later: Promise<AuditRecord | null> }>((resolve) =>
      runInAuditScope(record('aud_left'), () => resolve({ later: sleep(5).then(() => takePendingAudit()) })),
    );
    release();
    // Disabled, the scope no longer reads its store: what was left pending is out of reach.
    expect(await later).toBeNull();
    expect(openAuditScopes()).toBe(0);
  });

  it('a hold lasts until released, and a second release changes nothing', async () => {
    const other = runAuditScope(async () => {
      await sleep(20);
      setPendingAudit(record('aud_other'));
      await sleep(1);
      return takePendingAudit()?.id;
    });
    const release = holdAuditScope();
    const entered = await new Promise<string | undefined>((resolve) =>
      runInAuditScope(record('aud_entered'), () => void sleep(1).then(() => resolve(takePendingAudit()?.id))),
    );
    release();
    release();
    expect(entered).toBe('aud_entered');
    expect(openAuditScopes()).toBe(1);
    expect(await other).toBe('aud_other');
    expect(openAuditScopes()).toBe(0);
  });

  it('work already running beside a request never sees its scope, where both resume on the same socket', async () => {
    // The shape of a bulk retry's loop beside API requests on one database connection: the loop
    // started while the scope was off, so its promises carry no scope and it resumes on Node's
    // top-level resource, as does each request after its last query's reply, which opens its scope
    // there. An echo server on loopback is the database.
    const server = createServer((s) => s.on('data', (d) => s.write(d)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    const replies: Array<() => void> = [];
    socket.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i++) replies.shift()?.();
    });
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        replies.push(resolve);
        socket.write('x');
      });
    try {
      expect(openAuditScopes()).toBe(0);
      let stop = false;
      let sawRecord = 0;
      const loop = (async () => {
        for (let i = 0; i < 10_000 && !stop; i++) {
          await roundTrip();
          if (takePendingAudit() !== null) sawRecord += 1;
        }
      })();
      const taken: Array<string | undefined> = [];
      for (let i = 0; i < 20; i++) {
        await roundTrip(); // the request resumes after a reply on the socket
        const release = holdAuditScope();
        taken.push(
          await new Promise<string | undefined>((resolve) =>
            runInAuditScope(record(`aud_req_${i}`), () => {
              void (async () => {
                await roundTrip();
                await roundTrip();
                resolve(takePendingAudit()?.id);
              })();
            }),
          ),
        );
        release();
      }
      stop = true;
      await loop;
      expect(sawRecord, 'records the background loop took').toBe(0);
      expect(taken).toEqual(Array.from({ length: 20 }, (_, i) => `aud_req_${i}`));
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a bus message's listeners run outside the emitting request's scope", async () => {
    const bus = new EventBus();
    let listenerSaw: AuditRecord | null | undefined;
    bus.on('work.available', () => {
      listenerSaw = takePendingAudit();
    });
    const own = await runAuditScope(async () => {
      setPendingAudit(record('aud_bus'));
      bus.emit('work.available', {});
      return takePendingAudit()?.id;
    });
    expect(listenerSaw).toBeNull();
    expect(own).toBe('aud_bus');
  });

  it('outsideAuditScope: work started there (a request starting a background loop) sees no record', async () => {
    const seen = await runAuditScope(async () => {
      setPendingAudit(record('aud_request'));
      // The background work reaches its write first; the request's own write comes after.
      const background = await outsideAuditScope(async () => {
        await sleep(1);
        return takePendingAudit();
      });
      return { background, own: takePendingAudit()?.id };
    });
    expect(seen).toEqual({ background: null, own: 'aud_request' });
    expect(outsideAuditScope(() => 7)).toBe(7);
  });
});
