// Transfer between stores (`hookd migrate --from/--to`): exportRows/importRows/countRows and
// copyStore. A store populated through the domain API, with every table and every delivery state, is
// copied into a fresh store of the same adapter (and on into a third): the raw rows and what the
// domain reads return must be identical, and the copy must keep working (seq, lease tokens, secrets).
// The cross-dialect copy (SQLite <-> PostgreSQL) is tested through the CLI in test/migrate-transfer.

import { generateSigningKeyPair } from '../../signature/ed25519-keys.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { Store } from '../store.js';
import { copyStore, type TransferProgress } from '../transfer/copy-store.js';
import { DEFAULT_MOCK } from '../../core/mock-behaviour.js';
import { TRANSFER_TABLES, type TransferRow, type TransferTable } from '../transfer-tables.js';
import {
  addEndpoint,
  ALL,
  claimRequest,
  makeApiKey,
  makeEvent,
  makeInbound,
  makeSource,
  publish,
  resultFor,
  T0,
  type StoreFactory,
} from './fixtures.js';

/** Several fresh, migrated stores per test. */
function useStores(factory: StoreFactory, count: number): () => Store[] {
  let held: Array<{ store: Store; cleanup: () => Promise<void> }> = [];
  beforeEach(async () => {
    for (let i = 0; i < count; i += 1) {
      const made = await factory();
      held.push(made);
      await made.store.migrate();
    }
  });
  afterEach(async () => {
    const all = held;
    held = [];
    for (const h of all) {
      await h.store.close();
      await h.cleanup();
    }
  });
  return () => held.map((h) => h.store);
}

/** Every row of every table, in export order, read with a small page size to exercise keysets. */
async function dump(store: Store, pageSize = 3): Promise<Record<TransferTable, TransferRow[]>> {
  const out = {} as Record<TransferTable, TransferRow[]>;
  for (const spec of TRANSFER_TABLES) {
    const rows: TransferRow[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 1000; guard += 1) {
      const page: { rows: TransferRow[]; nextKey: string | null } = await store.exportRows(spec.name, after, pageSize);
      rows.push(...page.rows);
      if (page.nextKey === null) break;
      after = page.nextKey;
    }
    out[spec.name] = rows;
  }
  return out;
}

/** An installation with a row in every table and deliveries in every state. */
async function populate(store: Store): Promise<{ endpointIds: string[]; eventIds: string[]; deliveryIds: string[]; sourceId: string }> {
  await store.insertApiKey(makeApiKey());
  await store.insertApiKey(makeApiKey({ role: 'tenant', tenant: 'acme', revokedAt: T0 + 5, lastUsedAt: T0 + 4, name: null }));
  const signing = generateSigningKeyPair();
  await store.insertSigningKey({ id: newId('signingKey'), tenant: 'acme', generation: 1, secretKey: signing.secretKey, publicKey: signing.publicKey, createdAt: T0, signsFrom: T0, retiresAt: T0 + 10 }, []);
  await store.insertSigningKey({ id: newId('signingKey'), tenant: 'acme', generation: 2, secretKey: generateSigningKeyPair().secretKey, publicKey: signing.publicKey, createdAt: T0 + 1, signsFrom: T0 + 2, retiresAt: null }, []);
  await store.recordAudit({ id: newId('audit'), at: T0, actorKind: 'api_key', actorId: 'key_1', actorName: 'ops', tenant: 'acme', requestId: 'req-1', action: 'endpoint.update', target: 'ep_1', diff: { body: { description: 'x' } } });
  await store.claimAlertNotification({ id: 'alt_rul_1_ep_1_f', ruleId: 'rul_1', subjectKind: 'endpoint', subjectId: 'ep_1', tenant: 'acme', windowStart: T0, state: 'firing', summary: 'error rate 63%', value: 0.625, threshold: 0.5, createdAt: T0 + 1, outcome: 'failed', error: 'HTTP 500' });
  await store.claimAlertNotification({ id: 'alt_rul_2_src_1_r', ruleId: 'rul_2', subjectKind: 'source', subjectId: 'src_1', tenant: null, windowStart: T0, state: 'resolved', summary: 'cleared', value: null, threshold: null, createdAt: T0 + 2, outcome: 'sent', error: null });
  // Alert channels (secrets sealed: the webhook secret and the SMTP password) and a rule naming them.
  await store.insertAlertChannel({ id: 'ach_1', name: 'ops', tenant: 'acme', target: { kind: 'webhook', url: 'https://alerts.example.com/h', secret: 'whsec_dHJhbnNmZXItYWxlcnQtc2VjcmV0LTEyMzQ=' }, createdAt: T0, updatedAt: T0 });
  await store.insertAlertChannel({ id: 'ach_2', name: 'mail', tenant: null, target: { kind: 'email', host: 'smtp.example.com', port: 587, secure: false, username: 'u', password: 'pw-alert-smtp', from: 'a@example.com', to: ['b@example.com'] }, createdAt: T0 + 1, updatedAt: T0 + 1 });
  await store.insertAlertRule({ id: 'arl_1', name: 'errors', kind: 'error_rate', tenant: 'acme', threshold: 0.5, windowMs: 300_000, endpointIds: ['ep_1'], sourceIds: [], channelIds: ['ach_1'], enabled: true, createdAt: T0, updatedAt: T0 });
  await store.insertAlertRule({ id: 'arl_2', name: 'off', kind: 'endpoint_disabled', tenant: null, threshold: null, windowMs: 60_000, endpointIds: [], sourceIds: [], channelIds: ['ach_2'], enabled: false, createdAt: T0 + 1, updatedAt: T0 + 1 });
  await store.recordAudit({ id: newId('audit'), at: T0 + 1, actorKind: 'portal', actorId: 'portal:acme', actorName: null, tenant: null, requestId: null, action: 'api_key.create', target: null, diff: null });
  await store.revokePortalLink('pl_0000000000000000000000000000000a', T0, T0 + 86_400_000);
  await store.usePortalLink('pl_0000000000000000000000000000000b', T0, T0 + 86_400_000);
  await store.putEventType({ name: 'chat.started', description: 'A chat began', schema: { type: 'object', required: ['chatId'] }, example: { chatId: 'c-1' }, createdAt: T0, updatedAt: T0 + 1 });
  await store.putEventType({ name: 'call.ended', description: null, schema: null, example: undefined, createdAt: T0, updatedAt: T0 });
  const plain = await addEndpoint(store, { headers: { 'x-team': 'crm', 'x-a': '1' }, retrySchedule: [0, 5, 60], rateLimitPerSecond: 2.5 });
  const acme = await addEndpoint(store, {
    tenant: 'acme',
    eventTypes: ['chat.started', 'call.ended'],
    auth: { type: 'basic', username: 'crm', password: 'pw-transfer-1' },
    secrets: [
      { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null },
      { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', expiresAt: T0 + 86_400_000 },
    ],
    maxConcurrency: 3,
    timeoutMs: 2_000,
  });
  const disabled = await addEndpoint(store, { enabled: false, disabledReason: 'gone', failingSince: T0 - 10 });
  const source = makeSource({ tenant: null, allowIps: ['203.0.113.0/24'], maxBodyBytes: 4096 });
  await store.insertSource(source);
  const binId = `bin_${'7'.repeat(32)}`;
  await store.insertBin({ id: binId, tenant: 'acme', name: 'capture', behaviour: { ...DEFAULT_MOCK, status: 503, retryAfter: 3 }, responseBody: 'ok', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: T0 + 86_400_000, createdAt: T0 });
  for (let i = 0; i < 2; i += 1) {
    await store.recordBinRequest({ id: newId('binRequest'), binId, method: 'PUT', path: `/x/${i}?q=1`, headers: { 'x-a': 'b' }, body: Buffer.from([0, 255, i]), size: 10, truncated: i === 1, remoteAddress: '::1', receivedAt: T0 + i }, 10);
  }

  const eventIds: string[] = [];
  for (let i = 0; i < 7; i += 1) {
    const { event } = await publish(store, {
      createdAt: T0 + i,
      tenant: i % 2 === 0 ? null : 'acme',
      payload: `{"chatId":"c-${i}", "n": ${i}.0, "text":"é😀"}`,
      rawBody: i === 3 ? Buffer.from([0, 1, 2, 255, 10]) : null,
      idempotencyKey: i === 1 ? 'order-1' : null,
      requestHash: i === 1 ? 'hash-1' : null,
    });
    eventIds.push(event.id);
  }
  // Deliveries in every state: succeeded (with an attempt), failed, pending retry with a past
  // attempt, sending under a lease, and untouched pending.
  const claims = await store.claimDue(claimRequest(T0 + 100, { limit: 4 }));
  expect(claims.length).toBe(4);
  await store.recordResults([
    resultFor(claims[0]!, { at: T0 + 101 }),
    resultFor(claims[1]!, { at: T0 + 102, status: 'failed', code: 'http_client_error', responseStatus: 400 }),
    resultFor(claims[2]!, { at: T0 + 103, status: 'pending', nextAttemptAt: T0 + 5_000 }),
  ]);
  // claims[3] stays 'sending' under its lease.
  const accepted = makeEvent({ sourceId: source.id, type: 'payment.completed', createdAt: T0 + 200 });
  await store.recordInbound(makeInbound(source, { dedupeKey: 'prov-1', eventId: accepted.id, headers: { 'x-n': 'a\u0000b' } }), accepted);
  await store.recordInbound(makeInbound(source, { dedupeKey: 'prov-1', receivedAt: T0 + 201 }), makeEvent({ sourceId: source.id }));
  await store.recordInbound(makeInbound(source, { verdict: 'rejected', code: 'signature_invalid', reason: 'bad signature', status: 401, body: 'raw body' }), null);
  eventIds.push(accepted.id);

  const deliveryIds = (await store.listDeliveries({ tenant: undefined }, ALL)).data.map((d) => d.id);
  return { endpointIds: [plain.id, acme.id, disabled.id], eventIds, deliveryIds, sourceId: source.id };
}

export function transferSuite(factory: StoreFactory): void {
  describe('transfer between stores', () => {
    const stores = useStores(factory, 3);

    it('exports every table page by page, events in seq order, and counts rows', async () => {
      const [source] = stores();
      await populate(source!);
      const rows = await dump(source!, 2);
      expect(rows.events.map((r) => r.seq)).toEqual([...rows.events.map((r) => r.seq)].sort((a, b) => Number(a) - Number(b)));
      for (const spec of TRANSFER_TABLES) {
        expect(rows[spec.name].length, spec.name).toBe(await source!.countRows(spec.name));
        expect(rows[spec.name].length, spec.name).toBeGreaterThan(0);
        expect(new Set(rows[spec.name].map((r) => r[spec.primaryKey])).size).toBe(rows[spec.name].length);
        for (const row of rows[spec.name]) expect(Object.keys(row).sort()).toEqual(spec.columns.map((c) => c.name).sort());
      }
      const raw = rows.events.find((r) => r.raw_body !== null);
      expect(Buffer.isBuffer(raw?.raw_body)).toBe(true);
      expect([...(raw!.raw_body as Buffer)]).toEqual([0, 1, 2, 255, 10]);
      expect(rows.endpoints.map((r) => typeof r.enabled)).toEqual(['boolean', 'boolean', 'boolean']);
      // Secrets leave sealed.
      expect(JSON.stringify(rows.endpoints)).not.toContain('pw-transfer-1');
      expect(JSON.stringify(rows.alert_channels)).not.toContain('pw-alert-smtp');
      // An empty page at the end of the table.
      const last = rows.api_keys.at(-1)!;
      expect(await source!.exportRows('api_keys', String(last.id), 10)).toEqual({ rows: [], nextKey: null });
    });

    it('copies every table into an empty store: raw rows and domain reads are identical', async () => {
      const [source, target] = stores();
      const ids = await populate(source!);
      const seen: TransferProgress[] = [];
      const summary = await copyStore(source!, target!, (p) => seen.push(p), { batchSize: 2 });
      expect(summary.resealed).toBe(false);
      for (const t of summary.tables) {
        expect(t.inserted, t.table).toBe(t.copied);
        expect(t.targetCount, t.table).toBe(t.sourceCount);
      }
      expect(seen.filter((p) => p.phase === 'done').map((p) => p.table)).toEqual(TRANSFER_TABLES.map((t) => t.name));
      expect(await dump(target!)).toEqual(await dump(source!));

      for (const id of ids.endpointIds) expect(await target!.getEndpoint(id, undefined)).toEqual(await source!.getEndpoint(id, undefined));
      expect(await target!.getSource(ids.sourceId, undefined)).toEqual(await source!.getSource(ids.sourceId, undefined));
      for (const id of ids.eventIds) expect(await target!.getEvent(id, undefined)).toEqual(await source!.getEvent(id, undefined));
      for (const id of ids.deliveryIds) {
        expect(await target!.getDelivery(id, undefined)).toEqual(await source!.getDelivery(id, undefined));
        expect(await target!.listAttempts(id)).toEqual(await source!.listAttempts(id));
      }
      expect(await target!.listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 100 })).toEqual(
        await source!.listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 100 }),
      );
      expect(await target!.listApiKeys(ALL)).toEqual(await source!.listApiKeys(ALL));
      expect(await target!.listEventTypes(ALL)).toEqual(await source!.listEventTypes(ALL));
      expect(await target!.listInboundRequests({ sourceId: ids.sourceId }, ALL)).toEqual(await source!.listInboundRequests({ sourceId: ids.sourceId }, ALL));
      expect(await target!.lastEventSeq()).toBe(await source!.lastEventSeq());
    });

    it('is idempotent: copying again inserts nothing and duplicates nothing', async () => {
      const [source, target] = stores();
      await populate(source!);
      await copyStore(source!, target!, () => undefined, { batchSize: 4 });
      const before = await dump(target!);
      const again = await copyStore(source!, target!, () => undefined, { batchSize: 3 });
      for (const t of again.tables) {
        expect(t.inserted, t.table).toBe(0);
        expect(t.targetCount, t.table).toBe(t.sourceCount);
      }
      expect(await dump(target!)).toEqual(before);
    });

    it('resumes an interrupted copy: a partly filled target gets only what is missing', async () => {
      const [source, target] = stores();
      await populate(source!);
      // Copy the first page of each table by hand, as if the copy had died there.
      for (const spec of TRANSFER_TABLES) {
        const page = await source!.exportRows(spec.name, null, 1);
        await target!.importRows(spec.name, page.rows);
      }
      const summary = await copyStore(source!, target!, () => undefined, { batchSize: 2 });
      for (const t of summary.tables) expect(t.inserted, t.table).toBe(t.copied - 1);
      expect(await dump(target!)).toEqual(await dump(source!));
    });

    it('rejects an event whose seq is taken by a different event instead of dropping it', async () => {
      const [source, target] = stores();
      await publish(source!, { createdAt: T0 });
      await publish(target!, { createdAt: T0 });
      const page = await source!.exportRows('events', null, 10);
      await expect(target!.importRows('events', page.rows)).rejects.toThrow();
      expect(await target!.countRows('events')).toBe(1);
    });

    it('a copy keeps working: later publishes continue after the copied seq, claims fence above copied tokens', async () => {
      const [source, target, third] = stores();
      const ids = await populate(source!);
      await copyStore(source!, target!, () => undefined);
      // And on into a third store, from the copy.
      await copyStore(target!, third!, () => undefined);
      expect(await dump(third!)).toEqual(await dump(source!));

      const lastSeq = await third!.lastEventSeq();
      const { event } = await publish(third!, { createdAt: T0 + 300 });
      expect(event.seq).toBeGreaterThan(lastSeq);
      // The delivery left 'sending' under a lease is claimable once the lease expires, with a higher token.
      const sending = (await third!.listDeliveries({ tenant: undefined, status: 'sending' }, ALL)).data;
      expect(sending).toHaveLength(1);
      const claims = await third!.claimDue(claimRequest(T0 + 10_000_000, { limit: 100 }));
      const reclaimed = claims.find((c) => c.delivery.id === sending[0]!.id);
      expect(reclaimed?.delivery.leaseToken).toBeGreaterThan(sending[0]!.leaseToken);
      // Secrets open in the copy.
      expect((await third!.getEndpoint(ids.endpointIds[1]!, undefined))?.auth).toEqual({ type: 'basic', username: 'crm', password: 'pw-transfer-1' });
      expect((await third!.getAlertChannel('ach_2', undefined))?.target).toMatchObject({ kind: 'email', password: 'pw-alert-smtp' });
      expect((await third!.listAlertRules(undefined)).map((r) => [r.id, r.enabled, r.channelIds])).toEqual([['arl_1', true, ['ach_1']], ['arl_2', false, ['ach_2']]]);
      // The idempotency key came along: the same key and request replays the copied event.
      const [replay] = await third!.publishEvents([makeEvent({ id: newId('event'), tenant: 'acme', idempotencyKey: 'order-1', requestHash: 'hash-1' })]);
      expect(replay?.kind).toBe('replayed');
      expect(replay?.event.id).toBe(ids.eventIds[1]);
    });
  });
}
