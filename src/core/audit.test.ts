// The audit scope is on only while something holds it (core/audit.ts explains why): overlapping
// holders each keep their own pending record across awaits, and the last one out switches it off.

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { enterAuditScope, openAuditScopes, runAuditScope, setPendingAudit, takePendingAudit, type AuditRecord } from './audit.js';

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

  it('the last release switches the scope off, even in the context that entered it', async () => {
    const release = enterAuditScope();
    setPendingAudit(record('aud_left'));
    await Promise.resolve();
    release();
    // Disabled, the scope no longer reads its store: what was left pending is out of reach.
    expect(takePendingAudit()).toBeNull();
    expect(openAuditScopes()).toBe(0);
  });

  it('enterAuditScope holds until released, and a second release changes nothing', async () => {
    const other = runAuditScope(async () => {
      await sleep(20);
      setPendingAudit(record('aud_other'));
      await sleep(1);
      return takePendingAudit()?.id;
    });
    const entered = await (async () => {
      const release = enterAuditScope();
      setPendingAudit(record('aud_entered'));
      await sleep(1);
      const taken = takePendingAudit()?.id;
      release();
      release();
      return taken;
    })();
    expect(entered).toBe('aud_entered');
    expect(openAuditScopes()).toBe(1);
    expect(await other).toBe('aud_other');
    expect(openAuditScopes()).toBe(0);
  });
});
