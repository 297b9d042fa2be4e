// `hookd migrate --from ... --to ...` through the built CLI, as a user runs it: an installation made
// by a real `hookd serve` on SQLite moves to a PostgreSQL schema and back, and a server started on
// the copy keeps working (its API keys, endpoints and signing secrets, and the feed sequence).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { openStore } from '../src/runtime/open-store.js';
import { parseSecretKey } from '../src/runtime/secret-key.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import type { Store } from '../src/store/store.js';
import { api, createEndpoint, publishMany, until } from './faults/support/api.js';
import { baseEnv, startHookd, stopAll } from './faults/support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { pairKey, startRecorder } from './faults/support/recorder.js';

const BIN = new URL('../bin/hookd.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'hookd-transfer-'));
const schemas = [freshSchema('hookd_transfer'), freshSchema('hookd_transfer')];

afterAll(async () => {
  await stopAll();
  for (const s of schemas) await dropSchema(s);
  rmSync(root, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv({ HOOKD_DATA_DIR: join(root, 'cli-data'), ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI's environment for a transfer: no HOOKD_SECRET_KEY, so the key is found beside the SQLite file. */
const noKey = { HOOKD_SECRET_KEY: '' };

async function allPages<T>(read: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i += 1) {
    const page = await read(cursor);
    out.push(...page.data);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

/** Everything a user can read back, in a dialect-independent form. */
async function snapshot(store: Store, sourceId: string): Promise<Record<string, unknown>> {
  const all = { limit: 250 };
  const deliveries = await allPages((cursor) => store.listDeliveries({ tenant: undefined }, { ...all, cursor }));
  const endpoints = await allPages((cursor) => store.listEndpoints(undefined, { ...all, cursor }));
  return {
    apiKeys: await allPages((cursor) => store.listApiKeys({ ...all, cursor })),
    // SQLite reads a missing example back as undefined, PostgreSQL as null.
    eventTypes: (await allPages((cursor) => store.listEventTypes({ ...all, cursor }))).map((t) => ({ ...t, example: t.example ?? null })),
    endpoints,
    events: await store.listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 10_000 }),
    deliveries,
    attempts: await Promise.all(deliveries.map((d) => store.listAttempts(d.id))),
    sources: await allPages((cursor) => store.listSources(undefined, { ...all, cursor })),
    inbound: await allPages((cursor) => store.listInboundRequests({ sourceId }, { ...all, cursor })),
    lastSeq: await store.lastEventSeq(),
  };
}

describe('hookd migrate --from --to (built CLI)', () => {
  it('moves a SQLite installation to PostgreSQL and back, idempotently, and the copy serves', async () => {
    const rec = await startRecorder();
    try {
      rec.answer((_req, r) => (r.endpoint === 'failing' ? { status: 500 } : r.endpoint === 'rejecting' ? { status: 400 } : { status: 200 }));
      // 1. A real installation on SQLite (the key is generated into its data directory).
      const sqliteDir = join(root, 'sqlite');
      const env = baseEnv({ HOOKD_DATA_DIR: sqliteDir });
      delete env.HOOKD_SECRET_KEY;
      const server = await startHookd('sqlite-server', env);
      const tenantKey = (await api(server.url, 'POST', '/v1/api-keys', { name: 'crm', tenant: 'acme' })).body.key as string;
      expect((await api(server.url, 'PUT', '/v1/event-types/order.created', { description: 'An order', schema: { type: 'object' }, example: { n: 1 } })).status).toBe(201);
      const okId = await createEndpoint(server.url, rec.urlFor('ok'), { auth: { type: 'basic', username: 'crm', password: 'transfer-pw' } });
      await createEndpoint(server.url, rec.urlFor('failing'), { retrySchedule: [0, 604_800] });
      const alertChannel = await api(server.url, 'POST', '/v1/alerts/channels', { name: 'ops', kind: 'webhook', url: rec.urlFor('alerts') });
      expect(alertChannel.status, JSON.stringify(alertChannel.body)).toBe(201);
      expect((await api(server.url, 'POST', '/v1/alerts/rules', { name: 'exhausted', kind: 'deliveries_exhausted', channels: [alertChannel.body.id] })).status).toBe(201);
      // One attempt only: 4xx is retried, and this one should end `failed` (its exhaustion publishes
      // operational events, which come along too).
      await createEndpoint(server.url, rec.urlFor('rejecting'), { retrySchedule: [0] });
      const ids = await publishMany(server.url, 'order.created', 1_200);
      const expected = new Set(ids.flatMap((id) => ['ok', 'failing', 'rejecting'].map((t) => pairKey(t, id))));
      await until('first attempts', () => rec.missing(expected) === 0, 60_000, 100);
      await until('results recorded', async () => (await api(server.url, 'GET', '/v1/deliveries?status=sending&limit=1')).body.data.length === 0, 20_000, 100);
      expect(await server.stop()).toBe(0);

      // Inbound sources have no API yet: add one and its request log through the store.
      const keyFile = join(sqliteDir, 'secret.key');
      const box = createAesGcmBox(parseSecretKey(readFileSync(keyFile, 'utf8'), keyFile));
      const sqliteUrl = `sqlite:${join(sqliteDir, 'hookd.db')}`;
      const source = openStore(sqliteUrl, sqliteDir, box);
      const sourceId = newId('source');
      await source.insertSource({ id: sourceId, name: 'partner', tenant: null, verify: { scheme: 'hmac', secret: 'source-secret', header: 'x-sig', algorithm: 'sha256', encoding: 'hex' }, allowIps: null, eventType: 'order.created', maxBodyBytes: null, createdAt: Date.now(), updatedAt: Date.now() });
      await source.recordInbound({ id: newId('inboundRequest'), sourceId, tenant: null, receivedAt: Date.now(), verdict: 'rejected', code: 'signature_invalid', reason: 'bad', status: 401, remoteAddress: '127.0.0.1', headers: { 'x-sig': 'nope' }, body: '{"a":1}', dedupeKey: null, eventId: null }, null);
      const before = await snapshot(source, sourceId);
      await source.close();
      expect((before.deliveries as unknown[]).length).toBe(3 * 1_200);

      // 2. SQLite -> PostgreSQL. Not a terminal: one line per table on stderr.
      const pgUrl = schemaUrl(SHARED_URL, schemas[0]!);
      const toPg = await runCli(['migrate', '--from', sqliteUrl, '--to', pgUrl, '--batch-size', '250'], noKey);
      expect(toPg.code, toPg.stderr).toBe(0);
      for (const table of ['api_keys', 'event_types', 'endpoints', 'sources', 'events', 'deliveries', 'attempts', 'inbound_requests', 'alert_channels', 'alert_rules']) {
        expect(toPg.stderr).toMatch(new RegExp(`^${table}: \\d+ rows \\(\\d+ new\\)$`, 'm'));
      }
      expect(toPg.stderr).toMatch(/deliveries: 3600 rows \(3600 new\)/);
      expect(toPg.stderr).toContain(`key from ${keyFile}`);
      const pg = openStore(pgUrl, sqliteDir, box);
      expect(await snapshot(pg, sourceId)).toEqual(before);
      await pg.close();

      // 3. Again: nothing new, nothing duplicated.
      const again = await runCli(['migrate', '--from', sqliteUrl, '--to', pgUrl], noKey);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/\(0 new, \d+ already there\)/);

      // 4. PostgreSQL -> a new SQLite file, with --json (summary on stdout, nothing else).
      const backDir = join(root, 'back');
      const back = await runCli(['migrate', '--from', pgUrl, '--to', `sqlite:${join(backDir, 'hookd.db')}`, '--secret-key-file', keyFile, '--json'], noKey);
      expect(back.code, back.stderr).toBe(0);
      const summary = JSON.parse(back.stdout) as { tables: Array<{ table: string; copied: number; inserted: number }> };
      const eventCount = (before.events as unknown[]).length;
      expect(eventCount).toBeGreaterThanOrEqual(1_200);
      expect(summary.tables.find((t) => t.table === 'events')).toMatchObject({ copied: eventCount, inserted: eventCount });
      const backStore = openStore(`sqlite:${join(backDir, 'hookd.db')}`, backDir, box);
      expect(await snapshot(backStore, sourceId)).toEqual(before);
      await backStore.close();

      // 5. Re-sealing under a new key; the wrong key is refused before anything is copied.
      const newKey = randomBytes(32).toString('hex');
      const newKeyFile = join(root, 'new.key');
      writeFileSync(newKeyFile, newKey);
      const resealDir = join(root, 'resealed');
      const resealed = await runCli(['migrate', '--from', sqliteUrl, '--to', `sqlite:${join(resealDir, 'hookd.db')}`, '--target-secret-key-file', newKeyFile], noKey);
      expect(resealed.code, resealed.stderr).toBe(0);
      const resealedStore = openStore(`sqlite:${join(resealDir, 'hookd.db')}`, resealDir, createAesGcmBox(Buffer.from(newKey, 'hex')));
      expect((await resealedStore.getEndpoint(okId, undefined))?.auth).toEqual({ type: 'basic', username: 'crm', password: 'transfer-pw' });
      expect((await resealedStore.getSource(sourceId, undefined))?.verify).toMatchObject({ secret: 'source-secret' });
      // The alert channel's sealed secret is re-sealed too; its rule comes along.
      expect((await resealedStore.getAlertChannel(alertChannel.body.id as string, undefined))?.target).toEqual({ kind: 'webhook', url: rec.urlFor('alerts'), secret: alertChannel.body.secret });
      expect((await resealedStore.listAlertRules(undefined)).map((r) => r.channelIds)).toEqual([[alertChannel.body.id]]);
      await resealedStore.close();
      const wrong = await runCli(['migrate', '--from', sqliteUrl, '--to', schemaUrl(SHARED_URL, schemas[1]!), '--secret-key-file', newKeyFile], noKey);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/does not open with the source's secret key/);

      // 6. Usage: --from without --to is a usage error; plain `hookd migrate` still applies migrations.
      expect((await runCli(['migrate', '--from', sqliteUrl])).code).toBe(2);
      const plain = await runCli(['migrate', '--database-url', pgUrl]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stderr).toContain('migrations applied (postgres)');

      // 7. A server on the copy: the tenant key made on SQLite works, the endpoint delivers with its
      // stored credentials, and the feed continues after the copied sequence.
      const pgServer = await startHookd('pg-server', baseEnv({ HOOKD_DATA_DIR: join(root, 'pg-data'), DATABASE_URL: pgUrl, HOOKD_SECRET_KEY: readFileSync(keyFile, 'utf8').trim() }));
      const published = await fetch(`${pgServer.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'order.created', data: { after: 'migration' } }),
      });
      expect(published.status).toBe(202);
      const adminPublished = await api(pgServer.url, 'POST', '/v1/events', { type: 'order.created', data: { n: 'after' } });
      expect(adminPublished.status).toBe(202);
      await until('delivery from the copy', () => rec.distinct().has(pairKey('ok', adminPublished.body.id as string)), 15_000);
      expect(await pgServer.stop()).toBe(0);
      const after = openStore(pgUrl, sqliteDir, box);
      expect((await after.getEvent(adminPublished.body.id as string, undefined))?.seq).toBeGreaterThan(before.lastSeq as number);
      await after.close();
    } finally {
      await rec.close();
    }
  }, 180_000);
});
