// The audit log: a request's pending record is written inside the transaction of the change it
// describes (so it commits with it, and a change that writes nothing leaves none), listing newest
// first with filters and tenant scoping, and pruning by age.

import { describe, expect, it } from 'vitest';
import { runAuditScope, setPendingAudit, takePendingAudit } from '../../core/audit.js';
import { addEndpoint, makeAuditRecord, makeEndpoint, T0, useStore, type StoreFactory } from './fixtures.js';

export function auditSuite(factory: StoreFactory): void {
  describe('audit log', () => {
    const store = useStore(factory);

    it('writes a pending record with the change, in the same call', async () => {
      const endpoint = makeEndpoint({ tenant: 'acme' });
      const r = makeAuditRecord({ action: 'endpoint.create', target: endpoint.id });
      await runAuditScope(async () => {
        setPendingAudit(r);
        await store().insertEndpoint(endpoint);
        expect(takePendingAudit()).toBeNull();
      });
      const page = await store().listAudit({ tenant: undefined }, { limit: 10 });
      expect(page.data).toEqual([r]);
    });

    it('a call that changes nothing leaves the record pending, and a failed change writes none', async () => {
      await runAuditScope(async () => {
        setPendingAudit(makeAuditRecord());
        expect(await store().deleteEventType('never.existed')).toBe(false);
        expect(takePendingAudit()).not.toBeNull();
        const endpoint = await addEndpoint(store());
        setPendingAudit(makeAuditRecord());
        // The same id again: the insert fails, and the record must not be written either.
        await expect(store().insertEndpoint(endpoint)).rejects.toThrow();
      });
      expect((await store().listAudit({ tenant: undefined }, { limit: 10 })).data).toEqual([]);
    });

    it('work outside a request scope never picks a record up', async () => {
      await store().insertEndpoint(makeEndpoint());
      expect((await store().listAudit({ tenant: undefined }, { limit: 10 })).data).toEqual([]);
    });

    it('lists newest first with filters, tenant scoping and pages; prunes by age', async () => {
      const a = makeAuditRecord({ at: T0 + 1, tenant: 'acme', action: 'endpoint.create', actorId: 'key_a' });
      const b = makeAuditRecord({ at: T0 + 2, tenant: 'globex', action: 'endpoint.secret.rotate', target: 'ep_2' });
      const c = makeAuditRecord({ at: T0 + 3, tenant: null, action: 'api_key.create', target: null });
      for (const r of [a, b, c]) await store().recordAudit(r);
      const ids = async (q: Parameters<ReturnType<typeof store>['listAudit']>[0]) => (await store().listAudit(q, { limit: 10 })).data.map((r) => r.id);
      expect(await ids({ tenant: undefined })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ tenant: 'acme' })).toEqual([a.id]);
      expect(await ids({ tenant: null })).toEqual([c.id]);
      expect(await ids({ tenant: undefined, action: 'endpoint.' })).toEqual([b.id, a.id]);
      expect(await ids({ tenant: undefined, action: 'endpoint.create' })).toEqual([a.id]);
      expect(await ids({ tenant: undefined, actorId: 'key_a' })).toEqual([a.id]);
      expect(await ids({ tenant: undefined, target: 'ep_2' })).toEqual([b.id]);
      expect(await ids({ tenant: undefined, since: T0 + 2, until: T0 + 3 })).toEqual([b.id]);
      const first = await store().listAudit({ tenant: undefined }, { limit: 2 });
      expect(first.data.map((r) => r.id)).toEqual([c.id, b.id]);
      const second = await store().listAudit({ tenant: undefined }, { limit: 2, cursor: first.nextCursor! });
      expect(second.data.map((r) => r.id)).toEqual([a.id]);
      expect(second.nextCursor).toBeNull();
      expect((await store().listAudit({ tenant: undefined }, { limit: 1 })).data[0]).toEqual(c);
      expect(await store().pruneAudit(T0 + 3, 100)).toBe(2);
      expect(await ids({ tenant: undefined })).toEqual([c.id]);
    });
  });
}
